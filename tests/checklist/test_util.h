// Shared fixtures of the checklist tests: the real standard files and
// schools and counties that pass every 2017 indicator comfortably, to be
// changed one figure at a time.
#ifndef JUNHENG_TESTS_CHECKLIST_TEST_UTIL_H_
#define JUNHENG_TESTS_CHECKLIST_TEST_UTIL_H_

#include <string>

#include "checklist_service/standard/standard_loader.h"
#include "checklist_service/evaluator/stats.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist::testing {

// Every standard in the source tree's standards/, loaded once.
const StandardMap& RealStandards();
const junheng::v1::IndicatorStandard& Standard(const std::string& id);
const junheng::v1::Indicator& IndicatorOf(const std::string& standard_id,
                                          const std::string& code);

// A primary school of 1000 students meeting every 2017 indicator with room
// to spare: R1 5.0, R2 2.0, R3 1.2, R4 6.0 m², R5 9.0 m², R6 2500 yuan,
// R7 3.0; 24 classes, largest 42; 2 music and 2 art rooms of 100 / 95 m².
SchoolStats PassingPrimary(const std::string& code);
// A junior school of 1000 students: R1 6.0, R2 2.0, R3 1.2, R4 7.0, R5 12.0,
// R6 3000, R7 3.0; 22 classes, largest 48.
SchoolStats PassingJunior(const std::string& code);
// Counties.csv figures passing every 2017 county indicator.
CountyStats PassingCounty();
// A passing judgement for every judgement indicator and veto item of the
// standard.
std::vector<Judgement> PassingJudgements(
    const junheng::v1::IndicatorStandard& standard);

}  // namespace junheng::checklist::testing

#endif  // JUNHENG_TESTS_CHECKLIST_TEST_UTIL_H_
