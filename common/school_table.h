// A county's per-school results travel over gRPC as columns
// (v1::SchoolTable: a few dozen packed arrays instead of ~10,000 nested
// messages); clients that read them school by school expand them here.
#ifndef JUNHENG_COMMON_SCHOOL_TABLE_H_
#define JUNHENG_COMMON_SCHOOL_TABLE_H_

#include "absl/status/status.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng {

// Rebuilds `evaluation->schools` from its school_table and clears the
// table, and writes the reason of every failing item that refers to a row
// of it (SchoolTable.failing_item_row); does nothing when there is no
// table. DATA_LOSS, with `evaluation` unchanged, when the columns do not add
// up or an item refers to a row the table does not have (a table no server
// wrote).
absl::Status ExpandSchoolTable(v1::CountyEvaluation* evaluation);

}  // namespace junheng

#endif  // JUNHENG_COMMON_SCHOOL_TABLE_H_
