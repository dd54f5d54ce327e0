// What the gRPC form of a county's evaluation leaves for the client to
// rebuild: its per-school results travel as columns (v1::SchoolTable: a few
// dozen packed arrays instead of ~10,000 nested messages), and its failing
// items' words as bytes (FailingItem.reason_utf8) or as a reference to the
// table's sentences. Clients that read them school by school, or print
// them as JSON, expand them here.
#ifndef JUNHENG_COMMON_SCHOOL_TABLE_H_
#define JUNHENG_COMMON_SCHOOL_TABLE_H_

#include "absl/status/status.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng {

// Rebuilds `evaluation->schools` from its school_table and clears the
// table, and writes the reason of every failing item: from its
// reason_utf8 (then cleared), or from the row of the table it refers to
// (SchoolTable.failing_item_row). DATA_LOSS, with `evaluation` unchanged,
// when the columns do not add up or an item refers to a row the table does
// not have (a table no server wrote). An evaluation already expanded is
// left as it is.
absl::Status ExpandEvaluation(v1::CountyEvaluation* evaluation);

}  // namespace junheng

#endif  // JUNHENG_COMMON_SCHOOL_TABLE_H_
