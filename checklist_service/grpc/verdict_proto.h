// The evaluator's verdict structs as API messages; the only place they meet.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_VERDICT_PROTO_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_VERDICT_PROTO_H_

#include <string>

#include "checklist_service/app/checklist.h"
#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::checklist {

v1::Outcome ToProto(Outcome outcome);
// `name` is counties/{county}/years/{year}/schools/{school}.
void ToProto(const SchoolVerdict& verdict, const std::string& name,
             v1::SchoolEvaluation* out);
// Fills everything but the name, standard and revision;
// the per-school results only `with_schools`.
void ToProto(const CountyVerdict& verdict, bool with_schools,
             v1::CountyEvaluation* out);

// A county evaluation as the API returns it: the verdict (with the
// per-school results unless `view` is SUMMARY), its name, standard,
// revision and warnings.
void ToApi(const CountyEvaluation& e, v1::EvaluationView view,
           v1::CountyEvaluation* out);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_VERDICT_PROTO_H_
