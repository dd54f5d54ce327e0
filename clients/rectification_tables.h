// How `junheng checklist plan|whatif|items` show rectification to people:
// terminal tables, Chinese first, as an inspection team reads them, and
// CSV lines for spreadsheets. Pure functions from the API's messages to
// text, so that they are tested without a server.
#ifndef JUNHENG_CLIENTS_RECTIFICATION_TABLES_H_
#define JUNHENG_CLIENTS_RECTIFICATION_TABLES_H_

#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "junheng/v1/rectification.pb.h"

namespace junheng::cli {

using Items = google::protobuf::RepeatedPtrField<v1::RectificationItem>;

// "1,389,200"; "1,234.5" for a figure that is not whole.
std::string Grouped(double value);

// 待整改 / 整改中 / 已完成 / 已核验.
const char* ItemStatusZh(v1::RectificationItem::Status status);

// "R2 小学", "R5 小学差异系数"; a school gap at another school than
// `at_school` (a school name) names that school's code.
std::string GapText(const v1::Gap& gap, const std::string& at_school = "");

// The plan: a header (county, year, standard, revision, whether it is
// feasible, the resource part before → after), one row per action, the
// totals by resource and the grand total, then the obstacles.
std::string PlanTable(const v1::RectificationPlan& plan);
// One line per action after a header; the first six columns are those
// ParseActionsCsv reads, so the file can be edited and simulated.
std::string PlanCsv(const v1::RectificationPlan& plan);

// Items as rows: 编号, 学校, 措施/资源/数量, 估算费用, 责任人, 期限, 状态,
// 逾期, 核验情况.
std::string ItemsTable(const Items& items);
std::string ItemsCsv(const Items& items);
// One item, field by field.
std::string ItemText(const v1::RectificationItem& item);

// The county before and after the actions, side by side (verdict, areas,
// each coefficient against its limit, the school parts failing each
// indicator and the school rule), then the top `top_drivers` drivers of
// each coefficient.
std::string WhatIfTable(const v1::SimulateRectificationResponse& response,
                        int actions, int top_drivers = 5);

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_RECTIFICATION_TABLES_H_
