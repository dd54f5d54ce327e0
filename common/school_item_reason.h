// How a failing item at a school is worded, for both places that word it:
// the checklist's FailingReason, and ExpandEvaluation (school_table.h),
// which rebuilds the reason of an item the full view sends as a row of its
// school table. One wording, so that the two never read differently.
#ifndef JUNHENG_COMMON_SCHOOL_ITEM_REASON_H_
#define JUNHENG_COMMON_SCHOOL_ITEM_REASON_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace junheng {

// Between the school's name and its sentences, and between sentences.
inline constexpr absl::string_view kSchoolItemNameSeparator = " ";
inline constexpr absl::string_view kSchoolItemSentenceSeparator = "；";

// The school's name, then the sentences of its part (the school rule) or
// check: "第3小学 小学部未达标：…".
template <typename Sentences>
std::string SchoolItemReason(absl::string_view school_name,
                             const Sentences& sentences) {
  return absl::StrCat(school_name, kSchoolItemNameSeparator,
                      absl::StrJoin(sentences, kSchoolItemSentenceSeparator));
}

}  // namespace junheng

#endif  // JUNHENG_COMMON_SCHOOL_ITEM_REASON_H_
