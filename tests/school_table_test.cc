// ExpandEvaluation: the columns a server writes become the nested school
// messages, and a table whose columns do not add up is refused whole.
#include "common/school_table.h"

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace junheng {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::util::MessageDifferencer;

// Two schools: one counted primary school with a part of two indicators
// (the second with two measurements, one short) and a check, and one
// excluded school with nothing measured; two failing items, the first
// quoting the part's reasons. Every column has a row.
v1::CountyEvaluation Table() {
  v1::CountyEvaluation e;
  e.set_county_code("330199");
  e.set_year(2025);
  const bool ok = google::protobuf::TextFormat::ParseFromString(
      R"pb(
        strings: [
          "primary",
          "R1",
          "",
          "G3",
          "music_rooms",
          "art_rooms",
          "rooms",
          "间",
          "special"
        ]
        school_code: [ "3301990001", "3301990002" ]
        school_name: [ "甲小学", "乙特校" ]
        school_type: [ 0, 8 ]
        school_counted: [ true, false ]
        school_exclusion_reason: [ "", "特殊教育学校" ]
        school_outcome: [ FAIL, NOT_APPLICABLE ]
        school_parts: [ 1, 0 ]
        school_checks: [ 1, 0 ]
        part_level: [ LEVEL_PRIMARY ]
        part_students_reported: [ true ]
        part_students: [ 420 ]
        part_outcome: [ FAIL ]
        part_rule_indicators: [ 7 ]
        part_met: [ 5 ]
        part_missed: [ 2 ]
        part_below_floor: [ 1 ]
        part_not_reported: [ 0 ]
        part_indicators: [ 2 ]
        part_reasons: [ 1 ]
        part_reason_length: [ 18 ]
        part_reason_text: "小学部未达标"
        result_code: [ 1, 3, 1 ]
        result_scope: [ SCOPE_SCHOOL_LEVEL, SCOPE_SCHOOL_LEVEL, SCOPE_SCHOOL ]
        result_outcome: [ PASS, FAIL, PASS ]
        result_judgement: [ NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE ]
        result_measurements: [ 1, 2, 0 ]
        result_reasons: [ 0, 1, 0 ]
        result_reason_length: [ 42 ]
        result_reason_text: "G3 音乐专用教室 1 间，标准 ≥ 2"
        measurement_measure: [ 2, 4, 5 ]
        measurement_level: [ LEVEL_PRIMARY, LEVEL_PRIMARY, LEVEL_PRIMARY ]
        measurement_value_reported: [ true, true, false ]
        measurement_value: [ 5.25, 1 ]
        measurement_threshold_set: [ true, true, true ]
        measurement_threshold: [ 4.2, 2, 2 ]
        measurement_comparison: [
          COMPARISON_AT_LEAST,
          COMPARISON_AT_LEAST,
          COMPARISON_AT_LEAST
        ]
        measurement_outcome: [ PASS, FAIL, NOT_REPORTED ]
        measurement_has_shortfall: [ false, true, false ]
        shortfall_amount: [ 1 ]
        shortfall_reduce: [ false ]
        shortfall_unit: [ 6 ]
        shortfall_unit_zh: [ 7 ]
        failing_item_row: [ 1, 0 ]
      )pb",
      e.mutable_school_table());
  EXPECT_TRUE(ok);
  // The part's item refers to its row; the county's has its own words.
  e.add_failing_items()->set_code("school_rule");
  v1::FailingItem* county = e.add_failing_items();
  county->set_code("G11");
  county->set_reason("G11 …：未填报");
  return e;
}

TEST(SchoolTable, ExpandsIntoTheNestedSchools) {
  v1::CountyEvaluation e = Table();
  ASSERT_TRUE(ExpandEvaluation(&e).ok());
  EXPECT_FALSE(e.has_school_table());
  v1::CountyEvaluation want;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        county_code: "330199"
        year: 2025
        schools {
          name: "counties/330199/years/2025/schools/3301990001"
          school_code: "3301990001"
          school_name: "甲小学"
          school_type: "primary"
          counted: true
          outcome: FAIL
          levels {
            level: LEVEL_PRIMARY
            students: 420
            outcome: FAIL
            indicators {
              code: "R1"
              scope: SCOPE_SCHOOL_LEVEL
              outcome: PASS
              judgement: NOT_APPLICABLE
              measurements {
                level: LEVEL_PRIMARY
                value: 5.25
                threshold: 4.2
                comparison: COMPARISON_AT_LEAST
                outcome: PASS
              }
            }
            indicators {
              code: "G3"
              scope: SCOPE_SCHOOL_LEVEL
              outcome: FAIL
              judgement: NOT_APPLICABLE
              measurements {
                measure: "music_rooms"
                level: LEVEL_PRIMARY
                value: 1
                threshold: 2
                comparison: COMPARISON_AT_LEAST
                outcome: FAIL
                shortfall { amount: 1 unit: "rooms" unit_zh: "间" }
              }
              measurements {
                measure: "art_rooms"
                level: LEVEL_PRIMARY
                threshold: 2
                comparison: COMPARISON_AT_LEAST
                outcome: NOT_REPORTED
              }
              reasons: "G3 音乐专用教室 1 间，标准 ≥ 2"
            }
            rule_indicators: 7
            met: 5
            missed: 2
            below_floor: 1
            reasons: "小学部未达标"
          }
          checks {
            code: "R1"
            scope: SCOPE_SCHOOL
            outcome: PASS
            judgement: NOT_APPLICABLE
          }
        }
        schools {
          name: "counties/330199/years/2025/schools/3301990002"
          school_code: "3301990002"
          school_name: "乙特校"
          school_type: "special"
          exclusion_reason: "特殊教育学校"
          outcome: NOT_APPLICABLE
        }
        failing_items { code: "school_rule" reason: "甲小学 小学部未达标" }
        failing_items { code: "G11" reason: "G11 …：未填报" }
      )pb",
      &want));
  std::string report;
  MessageDifferencer diff;
  diff.ReportDifferencesToString(&report);
  EXPECT_TRUE(diff.Compare(want, e)) << report;
}

// Failing items at a school refer to the rows whose reasons they quote;
// expanding words them as the server's FailingReason does, and leaves the
// other items alone.
TEST(SchoolTable, FailingItemsGetTheirRowsSentences) {
  v1::CountyEvaluation e = Table();
  e.clear_failing_items();
  e.mutable_school_table()->clear_failing_item_row();
  e.add_failing_items()->set_code("school_rule");
  e.add_failing_items()->set_code("G3");
  v1::FailingItem* county = e.add_failing_items();
  county->set_code("G11");
  county->set_reason_utf8("G11 …：未填报");
  // The first part row, the second result row, and the item's own words.
  for (int row : {1, 2, 0}) e.mutable_school_table()->add_failing_item_row(row);
  ASSERT_TRUE(ExpandEvaluation(&e).ok());
  EXPECT_EQ(e.failing_items(0).reason(), "甲小学 小学部未达标");
  EXPECT_EQ(e.failing_items(1).reason(),
            "甲小学 G3 音乐专用教室 1 间，标准 ≥ 2");
  EXPECT_EQ(e.failing_items(2).reason(), "G11 …：未填报");
  EXPECT_TRUE(e.failing_items(2).reason_utf8().empty());
  EXPECT_FALSE(e.has_school_table());
}

// Over gRPC every failing item's words are bytes (FailingItem.reason_utf8),
// with no school table too (the summary view): expanding makes them the
// reason; expanding again, or an evaluation that came as JSON, changes
// nothing.
TEST(SchoolTable, FailingItemsWordsAsBytesBecomeTheirReason) {
  v1::CountyEvaluation e;
  e.add_failing_items()->set_reason_utf8("甲小学 小学部未达标：5 项达标");
  e.add_failing_items()->set_reason_utf8("G11 …：未填报");
  v1::FailingItem* json = e.add_failing_items();
  json->set_code("Q8");
  json->set_reason("Q8 …：不通过");
  ASSERT_TRUE(ExpandEvaluation(&e).ok());
  EXPECT_EQ(e.failing_items(0).reason(), "甲小学 小学部未达标：5 项达标");
  EXPECT_EQ(e.failing_items(1).reason(), "G11 …：未填报");
  EXPECT_EQ(e.failing_items(2).reason(), "Q8 …：不通过");
  for (const v1::FailingItem& item : e.failing_items()) {
    EXPECT_TRUE(item.reason_utf8().empty()) << item.DebugString();
  }
  const v1::CountyEvaluation once = e;
  ASSERT_TRUE(ExpandEvaluation(&e).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(once, e));
}

// A reference to a row the table does not have, or a column of references
// that is not one a failing item: DATA_LOSS, and the message as it was.
TEST(SchoolTable, AFailingItemPastTheRowsIsRefused) {
  struct Case {
    const char* code;
    std::vector<int> rows;
    const char* message;
  };
  const Case cases[] = {
      {"school_rule", {1, 2}, "failing item 1 refers to part row 1 of 1"},
      {"G3", {1, 4}, "failing item 1 refers to result row 3 of 3"},
      {"G3", {1, -1}, "failing item 1 refers to result row -2"},
      {"G3", {1}, "failing_item_row has 1 entries for 2 failing items"},
      {"G3", {1, 1, 1}, "failing_item_row has 3 entries for 2 failing items"},
  };
  for (const Case& c : cases) {
    v1::CountyEvaluation e = Table();
    e.clear_failing_items();
    e.mutable_school_table()->clear_failing_item_row();
    e.add_failing_items()->set_code("school_rule");
    e.add_failing_items()->set_code(c.code);
    for (int row : c.rows) e.mutable_school_table()->add_failing_item_row(row);
    const v1::CountyEvaluation before = e;
    const absl::Status s = ExpandEvaluation(&e);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << c.message;
    EXPECT_NE(s.message().find(c.message), absl::string_view::npos)
        << s.message();
    EXPECT_TRUE(MessageDifferencer::Equals(before, e)) << c.message;
  }
}

TEST(SchoolTable, NoTableIsNothingToDo) {
  v1::CountyEvaluation e;
  e.set_county_code("330199");
  ASSERT_TRUE(ExpandEvaluation(&e).ok());
  EXPECT_EQ(e.schools_size(), 0);
}

// A column one row short or one row long (a column of texts one byte short
// or long), a count past the rows there are, a negative count, a text's
// length past the bytes there are, a string index out of range: DATA_LOSS,
// and the evaluation as it was.
TEST(SchoolTable, EveryColumnOneRowShortOrLongIsRefused) {
  const v1::CountyEvaluation good = Table();
  const google::protobuf::Descriptor* d = v1::SchoolTable::descriptor();
  const google::protobuf::Reflection* r = v1::SchoolTable::GetReflection();
  int cases = 0;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!f->is_repeated()) {
      ASSERT_EQ(f->type(), FieldDescriptor::TYPE_BYTES) << f->name();
      ASSERT_FALSE(r->GetString(good.school_table(), f).empty()) << f->name();
    } else {
      ASSERT_GT(r->FieldSize(good.school_table(), f), 0) << f->name();
    }
    for (bool longer : {false, true}) {
      // An unreferenced string is only waste, not a contradiction.
      if (longer && f->name() == "strings") continue;
      v1::CountyEvaluation e = good;
      v1::SchoolTable* t = e.mutable_school_table();
      if (!f->is_repeated()) {
        std::string text = r->GetString(*t, f);
        if (longer) {
          text += "x";
        } else {
          text.pop_back();
        }
        r->SetString(t, f, text);
      } else if (!longer) {
        r->RemoveLast(t, f);
      } else {
        switch (f->cpp_type()) {
          case FieldDescriptor::CPPTYPE_STRING:
            r->AddString(t, f, "x");
            break;
          case FieldDescriptor::CPPTYPE_BOOL:
            r->AddBool(t, f, false);
            break;
          case FieldDescriptor::CPPTYPE_DOUBLE:
            r->AddDouble(t, f, 1);
            break;
          case FieldDescriptor::CPPTYPE_INT64:
            r->AddInt64(t, f, 1);
            break;
          case FieldDescriptor::CPPTYPE_INT32:
            r->AddInt32(t, f, 0);
            break;
          case FieldDescriptor::CPPTYPE_ENUM:
            r->AddEnumValue(t, f, 0);
            break;
          default:
            FAIL() << f->name();
        }
      }
      const v1::CountyEvaluation before = e;
      absl::Status s = ExpandEvaluation(&e);
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss)
          << f->name() << (longer ? " one row long" : " one row short");
      EXPECT_TRUE(MessageDifferencer::Equals(before, e)) << f->name();
      ++cases;
    }
  }
  EXPECT_EQ(cases, 2 * d->field_count() - 1);

  for (auto [count, value] :
       {std::pair{"school_parts", -1}, std::pair{"part_indicators", 1 << 30},
        std::pair{"result_measurements", -5}}) {
    v1::CountyEvaluation e = good;
    const FieldDescriptor* f = d->FindFieldByName(count);
    r->SetRepeatedInt32(e.mutable_school_table(), f, 0, value);
    absl::Status s = ExpandEvaluation(&e);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << count;
    EXPECT_NE(s.message().find(count), absl::string_view::npos) << s;
  }
  for (int length : {-1, 43}) {
    v1::CountyEvaluation e = good;
    e.mutable_school_table()->set_result_reason_length(0, length);
    const v1::CountyEvaluation before = e;
    absl::Status s = ExpandEvaluation(&e);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << length;
    EXPECT_NE(s.message().find("result_reason_text has 42 bytes left"),
              absl::string_view::npos)
        << s;
    EXPECT_TRUE(MessageDifferencer::Equals(before, e));
  }
  v1::CountyEvaluation e = good;
  e.mutable_school_table()->set_result_code(0, 99);
  absl::Status s = ExpandEvaluation(&e);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("string index 99"), absl::string_view::npos) << s;
  EXPECT_TRUE(e.has_school_table());
}

}  // namespace
}  // namespace junheng
