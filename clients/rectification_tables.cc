#include "clients/rectification_tables.h"

#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/rectification_input.h"
#include "clients/report_labels.h"
#include "clients/text_table.h"

namespace junheng::cli {
namespace {

// The last segment of a resource name: the school code of
// counties/…/schools/{code}, the id of …/rectificationItems/{id}.
std::string LastSegment(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// "330106", "2025" from counties/330106/years/2025.
std::pair<std::string, std::string> CountyAndYear(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() >= 4) return {parts[1], parts[3]};
  return {name, ""};
}

std::string SchoolText(const std::string& name, const std::string& zh) {
  const std::string code = LastSegment(name);
  return zh.empty() ? code : absl::StrCat(zh, " ", code);
}

const char* PartZh(v1::Level level) {
  return level == v1::LEVEL_ALL ? "全校" : LevelLabel(level);
}

std::string Quantity(double quantity, const std::string& unit_zh) {
  return unit_zh.empty() ? Grouped(quantity)
                         : absl::StrCat(Grouped(quantity), " ", unit_zh);
}

std::string Closes(const v1::RectificationAction& a) {
  std::vector<std::string> gaps;
  for (const v1::Gap& g : a.closes()) gaps.push_back(GapText(g, a.school()));
  return absl::StrJoin(gaps, "; ");
}

// 增加 / 交流轮岗 自 <donor>.
std::string Measure(const v1::RectificationAction& a) {
  if (a.kind() == v1::RectificationAction::ROTATE) {
    return absl::StrCat("交流轮岗 自 ",
                        SchoolText(a.from_school(), a.from_school_name()));
  }
  return "增加";
}

// "增加 多媒体教室 2 间", for a one-column summary.
std::string ActionSummary(const v1::RectificationAction& a) {
  const std::string what = absl::StrCat(ResourceLabel(a.resource()), " ",
                                        Quantity(a.quantity(), a.unit_zh()));
  if (a.kind() == v1::RectificationAction::ROTATE) {
    return absl::StrCat("交流轮岗 ", what, "（自 ",
                        SchoolText(a.from_school(), a.from_school_name()),
                        "）");
  }
  return absl::StrCat("增加 ", what);
}

const char* KindWord(v1::RectificationAction::Kind kind) {
  return kind == v1::RectificationAction::ROTATE ? "rotate" : "add";
}

const char* LevelWord(v1::Level level) {
  switch (level) {
    case v1::LEVEL_PRIMARY:
      return "primary";
    case v1::LEVEL_JUNIOR:
      return "junior";
    case v1::LEVEL_ALL:
      return "all";
    default:
      return "";
  }
}

const char* ObstacleZh(v1::Obstacle::Kind kind) {
  switch (kind) {
    case v1::Obstacle::NOT_REPORTED:
      return "数据不全 not reported";
    case v1::Obstacle::CONSTRAINED:
      return "条件限制 constrained";
    case v1::Obstacle::UNBOUNDED:
      return "投入无法解决 unbounded";
    default:
      return "?";
  }
}

std::string Number(double v) { return absl::StrFormat("%.10g", v); }

// "2,072.95", "25.50": two decimals, so that a column of them lines up.
std::string Fixed2(double v) {
  const std::string whole = Grouped(std::trunc(v));
  const std::string cents =
      absl::StrFormat("%.2f", std::fabs(v - std::trunc(v)));
  // %.2f of a fraction rounds up to "1.00" at .995 and above.
  if (absl::StartsWith(cents, "1")) return Grouped(std::round(v)) + ".00";
  return absl::StrCat(v < 0 && whole == "0" ? "-" : "", whole, cents.substr(1));
}

// A CSV cell, quoted when it must be, and text a spreadsheet would run as a
// formula (a name starting with =, +, - or @) kept as text.
std::string CsvText(const std::string& s) {
  std::string cell = s;
  if (!cell.empty() &&
      (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@')) {
    cell.insert(0, "'");
  }
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Date(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "—";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()),
                          ChinaTime());
}

std::string DateTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "—";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixSeconds(t.seconds()), ChinaTime());
}

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez",
                          absl::FromUnixSeconds(t.seconds()), ChinaTime());
}

const char* StatusWord(v1::RectificationItem::Status s) {
  switch (s) {
    case v1::RectificationItem::OPEN:
      return "OPEN";
    case v1::RectificationItem::IN_PROGRESS:
      return "IN_PROGRESS";
    case v1::RectificationItem::DONE:
      return "DONE";
    case v1::RectificationItem::VERIFIED:
      return "VERIFIED";
    default:
      return "";
  }
}

}  // namespace

std::string Grouped(double value) {
  if (!std::isfinite(value)) return "-";
  const std::string digits = absl::StrFormat("%.2f", std::fabs(value));
  const size_t dot = digits.find('.');
  std::string fraction = digits.substr(dot + 1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  const std::string whole = digits.substr(0, dot);
  std::string out;
  const size_t n = whole.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
  if (value < 0 && out != "0") out.insert(0, "-");
  return out;
}

const char* ItemStatusZh(v1::RectificationItem::Status status) {
  switch (status) {
    case v1::RectificationItem::OPEN:
      return "待整改";
    case v1::RectificationItem::IN_PROGRESS:
      return "整改中";
    case v1::RectificationItem::DONE:
      return "已完成";
    case v1::RectificationItem::VERIFIED:
      return "已核验";
    default:
      return "?";
  }
}

std::string GapText(const v1::Gap& gap, const std::string& at_school) {
  std::string text = gap.indicator();
  if (gap.level() == v1::LEVEL_PRIMARY || gap.level() == v1::LEVEL_JUNIOR) {
    absl::StrAppend(&text, " ", LevelLabel(gap.level()));
  }
  if (gap.coefficient()) {
    absl::StrAppend(&text, gap.level() == v1::LEVEL_PRIMARY ||
                                   gap.level() == v1::LEVEL_JUNIOR
                               ? "差异系数"
                               : " 差异系数");
  } else if (!gap.school().empty() && gap.school() != at_school) {
    absl::StrAppend(&text, " ", LastSegment(gap.school()));
  }
  return text;
}

std::string PlanTable(const v1::RectificationPlan& plan) {
  const auto [county, year] = CountyAndYear(plan.name());
  std::string out = absl::StrFormat(
      "整改方案 rectification plan: %s%s · %s 学年\n"
      "标准 %s · 数据修订 %d\n",
      plan.county_name().empty() ? "县 " : plan.county_name() + " ", county,
      year, plan.standard(), plan.revision());
  absl::StrAppend(
      &out, "目标 goal: ",
      plan.require_every_indicator()
          ? "各校每项资源配置指标均达标，各差异系数不超过限值 (every "
            "indicator)\n"
          : "各校达到资源配置的学校规则，各差异系数不超过限值 (school "
            "rule)\n");
  absl::StrAppendFormat(
      &out, "结论: %s · 资源配置 %s → %s\n",
      plan.feasible() ? "可行 feasible" : "不可行 NOT FEASIBLE",
      OutcomeLabel(plan.resource_before()),
      OutcomeLabel(plan.resource_after()));

  if (plan.actions().empty()) {
    absl::StrAppend(&out, "\n无整改措施 no actions",
                    plan.feasible() ? "：资源配置已达标\n" : "\n");
  } else {
    absl::StrAppend(&out, "\n整改措施 actions\n");
    TextTable table({"序号", "学校", "学段", "措施", "资源", "数量",
                     "估算费用(元)", "解决的差距"},
                    "rlllllrl");
    int seq = 0;
    for (const v1::RectificationAction& a : plan.actions()) {
      table.AddRow({absl::StrCat(++seq),
                    SchoolText(a.school(), a.school_name()), PartZh(a.level()),
                    Measure(a), ResourceLabel(a.resource()),
                    Quantity(a.quantity(), a.unit_zh()), Grouped(a.cost_yuan()),
                    Closes(a)});
    }
    absl::StrAppend(&out, table.Render("  "));

    // By resource, in the order the actions first name them; teachers
    // moved are one line whatever their kind, as cost_by_resource has it.
    struct Total {
      std::set<std::string> kinds;  // rotation: which teachers
      double quantity = 0;
      std::string unit_zh;
      double cost = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Total> totals;
    for (const v1::RectificationAction& a : plan.actions()) {
      const std::string key = a.kind() == v1::RectificationAction::ROTATE
                                  ? "rotation"
                                  : a.resource();
      auto [it, fresh] = totals.try_emplace(key);
      if (fresh) order.push_back(key);
      it->second.kinds.insert(ResourceLabel(a.resource()));
      it->second.quantity += a.quantity();
      if (it->second.unit_zh.empty()) it->second.unit_zh = a.unit_zh();
      it->second.cost += a.cost_yuan();
    }
    for (const auto& [key, cost] : plan.cost_by_resource()) {
      auto [it, fresh] = totals.try_emplace(key);
      if (fresh) order.push_back(key);
      it->second.cost = cost;
    }
    absl::StrAppend(&out, "\n按资源合计 totals by resource\n");
    TextTable sums({"资源", "数量", "估算费用(元)"}, "lrr");
    for (const std::string& key : order) {
      const Total& t = totals[key];
      std::string label = ResourceLabel(key);
      if (key == "rotation" && !t.kinds.empty()) {
        absl::StrAppend(&label, "（", absl::StrJoin(t.kinds, "、"), "）");
      }
      sums.AddRow({label, t.quantity > 0 ? Quantity(t.quantity, t.unit_zh) : "",
                   Grouped(t.cost)});
    }
    // The service's figure, not a sum of the rows as shown.
    sums.AddRow({"合计 total", "", Grouped(plan.total_cost_yuan())});
    absl::StrAppend(&out, sums.Render("  "));
  }

  if (!plan.obstacles().empty()) {
    absl::StrAppend(&out, "\n无法在约束内解决 obstacles\n");
    for (const v1::Obstacle& o : plan.obstacles()) {
      absl::StrAppend(&out, "  ", PadRight(ObstacleZh(o.kind()), 22), " ",
                      GapText(o.gap()), ": ", o.message(), "\n");
    }
  }
  return out;
}

std::string PlanCsv(const v1::RectificationPlan& plan) {
  std::string out = absl::StrCat(
      kActionColumns,
      ",school_name,from_school_name,resource_zh,unit,cost_yuan,closes\n");
  for (const v1::RectificationAction& a : plan.actions()) {
    absl::StrAppend(
        &out, KindWord(a.kind()), ",", CsvText(LastSegment(a.school())), ",",
        a.from_school().empty() ? "" : CsvText(LastSegment(a.from_school())),
        ",", LevelWord(a.level()), ",", CsvText(a.resource()), ",",
        Number(a.quantity()), ",", CsvText(a.school_name()), ",",
        CsvText(a.from_school_name()), ",",
        CsvText(ResourceLabel(a.resource())), ",", CsvText(a.unit()), ",",
        Number(a.cost_yuan()), ",", CsvText(Closes(a)), "\n");
  }
  return out;
}

std::string ItemsTable(const Items& items) {
  TextTable table({"编号", "学校", "措施/资源/数量", "估算费用(元)", "责任人",
                   "期限", "状态", "逾期", "核验情况"},
                  "rllrlllll");
  for (const v1::RectificationItem& i : items) {
    const v1::RectificationAction& a = i.action();
    table.AddRow({LastSegment(i.name()),
                  SchoolText(a.school(), a.school_name()), ActionSummary(a),
                  Grouped(a.cost_yuan()), i.owner().empty() ? "—" : i.owner(),
                  Date(i.deadline()), ItemStatusZh(i.status()),
                  i.overdue() ? "逾期" : "", i.verification()});
  }
  return table.Render();
}

std::string ItemsCsv(const Items& items) {
  std::string out =
      "id,name,school_code,school_name,kind,from_school_code,level,resource,"
      "quantity,unit,cost_yuan,owner,deadline,status,overdue,verification,"
      "evidence,revision\n";
  for (const v1::RectificationItem& i : items) {
    const v1::RectificationAction& a = i.action();
    absl::StrAppend(
        &out, LastSegment(i.name()), ",", CsvText(i.name()), ",",
        CsvText(LastSegment(a.school())), ",", CsvText(a.school_name()), ",",
        KindWord(a.kind()), ",",
        a.from_school().empty() ? "" : CsvText(LastSegment(a.from_school())),
        ",", LevelWord(a.level()), ",", CsvText(a.resource()), ",",
        Number(a.quantity()), ",", CsvText(a.unit()), ",",
        Number(a.cost_yuan()), ",", CsvText(i.owner()), ",",
        Rfc3339(i.deadline()), ",", StatusWord(i.status()), ",",
        i.overdue() ? "true" : "false", ",", CsvText(i.verification()), ",",
        CsvText(absl::StrJoin(i.evidence(), " ")), ",", i.revision(), "\n");
  }
  return out;
}

std::string ItemText(const v1::RectificationItem& item) {
  const v1::RectificationAction& a = item.action();
  std::string out =
      absl::StrCat(item.name(), "（修订 revision ", item.revision(), "）\n");
  TextTable t({"", ""});
  t.AddRow({"学校", absl::StrCat(SchoolText(a.school(), a.school_name()), " ",
                                 PartZh(a.level()))});
  t.AddRow({"措施", ActionSummary(a)});
  t.AddRow({"估算费用", absl::StrCat(Grouped(a.cost_yuan()), " 元")});
  t.AddRow({"解决的差距", Closes(a)});
  t.AddRow({"责任人", item.owner().empty() ? "—" : item.owner()});
  t.AddRow({"期限", item.has_deadline()
                        ? absl::StrCat(DateTime(item.deadline()), " (UTC+8)")
                        : "—"});
  t.AddRow({"状态", absl::StrCat(ItemStatusZh(item.status()), " ",
                                 StatusWord(item.status()),
                                 item.overdue() ? "  逾期 overdue" : "")});
  t.AddRow({"整改证据", item.evidence().empty()
                            ? "—"
                            : absl::StrJoin(item.evidence(), ", ")});
  t.AddRow({"核验情况", item.verification()});
  t.AddRow({"核验时间", DateTime(item.verify_time())});
  t.AddRow({"创建 / 更新", absl::StrCat(DateTime(item.create_time()), " / ",
                                        DateTime(item.update_time()))});
  // The header row is blank: render without it.
  std::string rendered = t.Render("  ");
  rendered.erase(0, rendered.find('\n') + 1);
  return absl::StrCat(out, rendered);
}

std::string WhatIfTable(const v1::SimulateRectificationResponse& response,
                        int actions, int top_drivers) {
  const v1::CountyEvaluation& before = response.before();
  const v1::CountyEvaluation& after = response.after();
  std::string out = absl::StrFormat(
      "整改模拟 what-if: %s %s · %d 学年 · %d 项措施\n标准 %s · 数据修订 %d\n",
      before.county_name(), before.county_code(), before.year(), actions,
      before.standard(), before.revision());

  absl::StrAppend(&out, "\n结论 verdict\n");
  TextTable verdict({"项目", "整改前 before", "整改后 after"});
  verdict.AddRow({"县域 county", OutcomeLabel(before.outcome()),
                  OutcomeLabel(after.outcome())});
  std::map<std::string, const v1::AreaResult*> areas_after;
  for (const auto& a : after.areas()) areas_after[a.code()] = &a;
  for (const auto& a : before.areas()) {
    auto it = areas_after.find(a.code());
    const v1::AreaResult* b = it == areas_after.end() ? nullptr : it->second;
    verdict.AddRow({a.name_zh(), OutcomeLabel(a.outcome()),
                    b ? OutcomeLabel(b->outcome()) : ""});
    // Only the resource area has a school rule; the others say n/a.
    if (a.school_rule() != v1::OUTCOME_UNSPECIFIED &&
        a.school_rule() != v1::NOT_APPLICABLE) {
      verdict.AddRow({"  学校规则 school rule", OutcomeLabel(a.school_rule()),
                      b ? OutcomeLabel(b->school_rule()) : ""});
    }
  }
  absl::StrAppend(&out, verdict.Render("  "));

  if (!before.coefficients().empty()) {
    absl::StrAppend(&out, "\n差异系数 difference coefficients\n");
    TextTable table({"指标", "学段", "限值", "整改前 before", "整改后 after"},
                    "lllll");
    auto cell = [](const v1::CoefficientResult* c) -> std::string {
      if (c == nullptr) return "";
      return absl::StrCat(
          c->has_value() ? absl::StrFormat("%.3f", c->value()) : "-", " ",
          OutcomeLabel(c->outcome()));
    };
    for (const auto& c : before.coefficients()) {
      const v1::CoefficientResult* a = nullptr;
      for (const auto& x : after.coefficients()) {
        if (x.code() == c.code() && x.level() == c.level()) a = &x;
      }
      table.AddRow({c.code(), LevelLabel(c.level()),
                    c.has_limit() ? absl::StrFormat("≤ %.2f", c.limit()) : "-",
                    cell(&c), cell(a)});
    }
    absl::StrAppend(&out, table.Render("  "));
  }

  // Indicators that some school part misses, or whose outcome changes.
  std::map<std::string, const v1::IndicatorResult*> indicators_after;
  for (const auto& a : after.areas()) {
    for (const auto& i : a.indicators()) indicators_after[i.code()] = &i;
  }
  auto indicator_cell = [](const v1::IndicatorResult* i) -> std::string {
    if (i == nullptr) return "";
    std::set<std::string> schools(i->schools_not_passing().begin(),
                                  i->schools_not_passing().end());
    std::string text = OutcomeLabel(i->outcome());
    if (!schools.empty()) absl::StrAppend(&text, " · ", schools.size(), " 校");
    return text;
  };
  // The name last: some are a sentence long.
  TextTable indicators({"指标", "整改前 before", "整改后 after", "名称"});
  int indicator_rows = 0;
  for (const auto& a : before.areas()) {
    for (const auto& i : a.indicators()) {
      auto it = indicators_after.find(i.code());
      const v1::IndicatorResult* b =
          it == indicators_after.end() ? nullptr : it->second;
      // What fails, or changes; not every judgement still to be made.
      const bool changed = b != nullptr && b->outcome() != i.outcome();
      const bool fails =
          i.outcome() == v1::FAIL || (b != nullptr && b->outcome() == v1::FAIL);
      if (!changed && !fails && i.schools_not_passing().empty() &&
          (b == nullptr || b->schools_not_passing().empty())) {
        continue;
      }
      indicators.AddRow(
          {i.code(), indicator_cell(&i), indicator_cell(b), i.name_zh()});
      ++indicator_rows;
    }
  }
  if (indicator_rows > 0) {
    absl::StrAppend(&out,
                    "\n指标与未达标学校 indicators (校: school parts not "
                    "meeting it)\n",
                    indicators.Render("  "));
  }

  // School parts that miss the school rule before or after.
  std::map<std::pair<std::string, int>, v1::Outcome> rule_after;
  for (const auto& s : after.schools()) {
    for (const auto& l : s.levels()) {
      rule_after[{s.school_code(), l.level()}] = l.outcome();
    }
  }
  TextTable parts({"学校", "学段", "整改前 before", "整改后 after"});
  int part_rows = 0;
  for (const auto& s : before.schools()) {
    if (!s.counted()) continue;
    for (const auto& l : s.levels()) {
      auto it = rule_after.find({s.school_code(), l.level()});
      const v1::Outcome now =
          it == rule_after.end() ? v1::OUTCOME_UNSPECIFIED : it->second;
      if (l.outcome() == v1::PASS && now == v1::PASS) continue;
      if (l.outcome() == v1::NOT_APPLICABLE) continue;
      parts.AddRow({absl::StrCat(s.school_name(), " ", s.school_code()),
                    LevelLabel(l.level()), OutcomeLabel(l.outcome()),
                    OutcomeLabel(now)});
      ++part_rows;
    }
  }
  if (part_rows > 0) {
    absl::StrAppend(&out,
                    "\n未达学校规则的学校 school parts failing the rule\n",
                    parts.Render("  "));
  }

  if (!response.drivers().empty()) {
    absl::StrAppendFormat(
        &out,
        "\n差异系数的主要来源 drivers (整改前 before; 每项前 %d 所 top %d)\n",
        top_drivers, top_drivers);
    for (const v1::CoefficientDrivers& d : response.drivers()) {
      std::string after_text;
      for (const v1::CoefficientDrivers& a : response.drivers_after()) {
        if (a.indicator() == d.indicator() && a.level() == d.level()) {
          after_text = absl::StrFormat(" → 整改后 %.3f", a.coefficient());
        }
      }
      absl::StrAppendFormat(
          &out, "  %s %s 差异系数 %.3f%s%s\n", d.indicator(),
          LevelLabel(d.level()), d.coefficient(), after_text,
          d.has_limit() ? absl::StrFormat("（限值 %.2f）", d.limit()) : "");
      TextTable table({"学校", "学生数", "值", "占CV²", "低于均值"}, "lrrrl");
      const double cv2 = d.coefficient() * d.coefficient();
      int shown = 0;
      for (const v1::CoefficientDriver& x : d.drivers()) {
        if (shown++ == top_drivers) break;
        table.AddRow({SchoolText(x.school(), x.school_name()),
                      Grouped(x.students()), Fixed2(x.value()),
                      cv2 > 0
                          ? absl::StrFormat("%.1f%%",
                                            100 * x.share_of_cv_squared() / cv2)
                          : "-",
                      x.below_mean() ? "是" : ""});
      }
      absl::StrAppend(&out, table.Render("    "));
    }
  }
  if (!after.warnings().empty()) absl::StrAppend(&out, "\n");
  for (const auto& w : after.warnings()) {
    absl::StrAppend(&out, "warning: ", w, "\n");
  }
  return out;
}

}  // namespace junheng::cli
