// `junheng checklist …`: standards, imports, judgements and evaluations.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli.h"
#include "clients/command_context.h"
#include "clients/commands.h"
#include "clients/connection.h"
#include "clients/report_html.h"
#include "clients/report_xlsx.h"
#include "clients/text_table.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/school_table.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "junheng/v1/checklist.grpc.pb.h"

namespace junheng::cli {

const char kChecklistUsage[] =
    "junheng checklist — standards, statistics, judgements, evaluations\n"
    "\n"
    "  standards [ID]                 List the loaded standards, or show one.\n"
    "  import schools FILE [--sheet NAME]\n"
    "                                 Import schools.csv, or the sheet of an\n"
    "                                 .xlsx workbook (all rows or none).\n"
    "  import counties FILE [--sheet NAME]\n"
    "                                 Import counties.csv (or .xlsx).\n"
    "  template --format xlsx -o FILE Write the import template workbook.\n"
    "  judge --county C --year Y --code CODE (--pass | --fail)\n"
    "      [--comment TEXT] [--evidence NAME …] [--score N]\n"
    "                                 Record an inspector's judgement.\n"
    "  evaluate --county C --year Y [--standard ID] [--as_of REVISION]\n"
    "      [--no_evidence] [--format table|json|csv|markdown|xlsx|html]\n"
    "      [-o FILE]                  Does the county pass, and if not, why.\n"
    "                                 xlsx: the report's tables (needs -o);\n"
    "                                 html: the printable A4 report.\n"
    "  school --county C --year Y --school S [--standard ID]\n"
    "                                 Evaluate one school.\n"
    "  report --county C --year Y --school S [--as_of REVISION]\n"
    "                                 Show a school's stored statistics.\n"
    "  province --province P --year Y [--standard ID] [--as_of REVISION]\n"
    "      [--page_token TOKEN] [--format table|json]\n"
    "                                 Every county of a province; a county\n"
    "                                 that cannot be evaluated is listed as\n"
    "                                 ERROR (exit 1) and the rest still come.\n"
    "                                 A broken stream prints a --page_token\n"
    "                                 that resumes after the last county.\n"
    "\n"
    "Rectification (整改):\n"
    "  plan --county C --year Y [--standard ID] [--as_of REVISION]\n"
    "      [--costs FILE] [--every_indicator] [--no_rotation]\n"
    "      [--format table|json|csv] [-o FILE]\n"
    "                                 The cheapest actions after which the\n"
    "                                 resource part passes. --costs: a cost\n"
    "                                 file like standards/rectification-\n"
    "                                 costs.csv; --every_indicator: every\n"
    "                                 school meets every indicator, not only\n"
    "                                 the school rule; --no_rotation: hire,\n"
    "                                 do not rotate teachers. json is what\n"
    "                                 whatif --plan and items adopt read.\n"
    "  whatif --county C --year Y (--plan FILE | --actions FILE)\n"
    "      [--standard ID] [--as_of REVISION] [--format table|json]\n"
    "                                 The county before and after the\n"
    "                                 actions, and what drives each\n"
    "                                 difference coefficient. --actions: a\n"
    "                                 CSV with the header\n"
    "                                   kind,school_code,from_school_code,\n"
    "                                   level,resource,quantity\n"
    "                                 kind add|rotate (from_school_code:\n"
    "                                 the donor, rotate only), level\n"
    "                                 primary|junior|all, resource a column\n"
    "                                 such as backbone_teachers or\n"
    "                                 sports_area_m2, quantity in its units.\n"
    "                                 plan --format csv writes such a file.\n"
    "  items adopt --county C --year Y --plan FILE [--owner TEXT]\n"
    "      [--deadline YYYY-MM-DD] [--request_id ID]\n"
    "                                 Make the plan's actions tracked items.\n"
    "                                 The deadline is the end of that day,\n"
    "                                 China Standard Time. A retry with the\n"
    "                                 same --request_id adopts nothing twice.\n"
    "  items list --county C --year Y [--overdue]\n"
    "      [--status open|in_progress|done|verified] [--school CODE]\n"
    "      [--format table|json|csv] [-o FILE]\n"
    "  items get NAME                 One item; NAME is counties/C/years/Y/\n"
    "                                 rectificationItems/N, or N with\n"
    "                                 --county and --year.\n"
    "  items update NAME [--owner TEXT] [--deadline YYYY-MM-DD|none]\n"
    "      [--status open|in_progress|done] [--evidence NAME[,NAME…]]\n"
    "                                 Change only what is given; --evidence\n"
    "                                 replaces the linked evidence versions\n"
    "                                 (--evidence= unlinks all). An item\n"
    "                                 becomes verified (已核验) by itself\n"
    "                                 once the statistics and the archive\n"
    "                                 show the gap closed.\n"
    "\n"
    "The service's address comes from --checklist_addr, else\n"
    "$JUNHENG_CHECKLIST_ADDR, else 127.0.0.1:50052.\n";

namespace {

using Context = CommandContext<v1::ChecklistService::Stub>;

int Fail(const Context& ctx, const absl::Status& status) {
  if (absl::IsUnavailable(status)) {
    return ReportError(absl::UnavailableError(
        absl::StrCat("cannot reach the checklist service at ", ctx.address,
                     " (", status.message(),
                     "); is junheng-checklist running? Set "
                     "--checklist_addr or JUNHENG_CHECKLIST_ADDR")));
  }
  // Import errors come as csv:LINE:COLUMN or xlsx:SHEET!CELL:COLUMN field
  // violations; say them plainly.
  std::vector<FieldViolation> violations = FieldViolations(status);
  if (!violations.empty() && (violations[0].field.rfind("csv:", 0) == 0 ||
                              violations[0].field.rfind("xlsx:", 0) == 0)) {
    std::fprintf(stderr, "junheng: %s: %s\n",
                 absl::StatusCodeToString(status.code()).c_str(),
                 std::string(status.message()).c_str());
    for (const auto& v : violations) {
      std::vector<std::string> parts = absl::StrSplit(v.field, ':');
      std::string where = v.field;
      if (parts[0] == "xlsx" && parts.size() >= 3) {
        // xlsx:学校基本情况!F12:p_students (a row is 学校基本情况!12:12)
        const size_t last = v.field.rfind(':');
        where = v.field.substr(5, last - 5);
        const std::string column = v.field.substr(last + 1);
        if (!column.empty()) absl::StrAppend(&where, " (", column, ")");
      } else if (parts.size() == 3) {
        where = parts[1] == "0" ? "file" : absl::StrCat("line ", parts[1]);
        if (!parts[2].empty()) absl::StrAppend(&where, ", column ", parts[2]);
      }
      std::fprintf(stderr, "  - %s: %s\n", where.c_str(),
                   v.description.c_str());
    }
    return kExitError;
  }
  return ReportError(status);
}

absl::StatusOr<std::string> CountyYear(const Args& args) {
  auto county = args.Get("county");
  auto year = args.Get("year");
  if (!county || !year) {
    return absl::InvalidArgumentError("needs --county and --year");
  }
  return absl::StrCat("counties/", *county, "/years/", *year);
}

const char* OutcomeText(v1::Outcome o) {
  switch (o) {
    case v1::PASS:
      return "pass";
    case v1::FAIL:
      return "FAIL";
    case v1::NOT_REPORTED:
      return "not reported";
    case v1::NOT_APPLICABLE:
      return "n/a";
    default:
      return "?";
  }
}

const char* OutcomeZh(v1::Outcome o) {
  switch (o) {
    case v1::PASS:
      return "达标";
    case v1::FAIL:
      return "未达标";
    case v1::NOT_REPORTED:
      return "数据不全";
    default:
      return "";
  }
}

const char* LevelZh(v1::Level l) {
  switch (l) {
    case v1::LEVEL_PRIMARY:
      return "小学";
    case v1::LEVEL_JUNIOR:
      return "初中";
    default:
      return "";
  }
}

const char* EvidenceText(v1::EvidenceStatus s) {
  switch (s) {
    case v1::EVIDENCE_PRESENT:
      return "present";
    case v1::EVIDENCE_MISSING:
      return "MISSING";
    case v1::EVIDENCE_UNKNOWN:
      return "unknown";
    case v1::EVIDENCE_NOT_EXPECTED:
      return "-";
    default:
      return "?";
  }
}

std::string Num(double v) { return absl::StrFormat("%.3f", v); }

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Streams a file to an import RPC in 1 MiB pieces.
int Import(Context& ctx, bool schools) {
  const auto& words = ctx.args.positional();
  if (words.size() != 4) {
    return UsageError("import takes 'schools FILE' or 'counties FILE'");
  }
  const std::string& path = words[3];
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ReportError(absl::FailedPreconditionError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno))));
  }
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Minutes(10));
  v1::ImportResponse response;
  auto writer = schools ? ctx.stub->ImportSchools(&c, &response)
                        : ctx.stub->ImportCounties(&c, &response);
  v1::ImportRequest message;
  message.mutable_header()->set_comment(
      ctx.args.Get("comment").value_or(path.substr(path.rfind('/') + 1)));
  // The name says what the file is; the service sniffs anything else.
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".xlsx") || absl::EndsWith(lower, ".xlsm")) {
    message.mutable_header()->set_format(v1::IMPORT_FORMAT_XLSX);
  } else if (absl::EndsWith(lower, ".csv")) {
    message.mutable_header()->set_format(v1::IMPORT_FORMAT_CSV);
  }
  message.mutable_header()->set_sheet(ctx.args.Get("sheet").value_or(""));
  bool open = writer->Write(message);
  std::string buf(1 << 20, '\0');
  while (open) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.set_csv_chunk(buf.data(), static_cast<size_t>(n));
    open = writer->Write(message);
  }
  ::close(fd);
  writer->WritesDone();
  absl::Status status = FromGrpc(writer->Finish());
  if (!status.ok()) return Fail(ctx, status);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(response).c_str());
  } else {
    std::printf("imported %lld rows as revision %lld (%s)\n",
                static_cast<long long>(response.rows()),
                static_cast<long long>(response.revision()),
                absl::StrJoin(response.touched(), ", ").c_str());
  }
  return 0;
}

int Standards(Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() >= 3) {
    v1::GetStandardRequest request;
    request.set_name("standards/" + words[2]);
    v1::IndicatorStandard standard;
    grpc::ClientContext c;
    ctx.Prepare(c, absl::Seconds(30));
    absl::Status s = FromGrpc(ctx.stub->GetStandard(&c, request, &standard));
    if (!s.ok()) return Fail(ctx, s);
    if (ctx.format == "json") {
      std::printf("%s\n", ToJson(standard).c_str());
      return 0;
    }
    std::printf("%s  %s %s\n%s\n\n", standard.id().c_str(),
                standard.name_zh().c_str(), standard.document_number().c_str(),
                standard.name_en().c_str());
    TextTable table({"CODE", "AREA", "THRESHOLDS", "NAME"});
    for (const auto& i : standard.indicators()) {
      std::vector<std::string> t;
      for (const auto& th : i.thresholds()) {
        const char* cmp = th.comparison() == v1::COMPARISON_AT_LEAST  ? "≥"
                          : th.comparison() == v1::COMPARISON_AT_MOST ? "≤"
                          : th.comparison() == v1::COMPARISON_GREATER_THAN
                              ? ">"
                              : "<";
        t.push_back(absl::StrCat(LevelZh(th.level()), th.measure(), cmp,
                                 absl::StrFormat("%g", th.value())));
      }
      if (i.needs_judgement()) t.push_back("评估组认定");
      table.AddRow({i.code(), i.area(), absl::StrJoin(t, " "), i.name_zh()});
    }
    for (const auto& v : standard.veto_items()) {
      table.AddRow({v.code(), "veto", "一票否决", v.name_zh()});
    }
    std::fputs(table.Render().c_str(), stdout);
    return 0;
  }
  v1::ListStandardsResponse response;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(
      ctx.stub->ListStandards(&c, v1::ListStandardsRequest(), &response));
  if (!s.ok()) return Fail(ctx, s);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(response).c_str());
    return 0;
  }
  TextTable table({"ID", "YEAR", "INDICATORS", "NAME"}, "lrr");
  for (const auto& st : response.standards()) {
    table.AddRow(
        {st.id(), absl::StrCat(st.issued_year()),
         absl::StrCat(st.indicators_size()),
         absl::StrCat(st.name_zh(),
                      st.base_standard_id().empty()
                          ? ""
                          : absl::StrCat("  (variant of ",
                                         st.base_standard_id(), ")"))});
  }
  std::fputs(table.Render().c_str(), stdout);
  return 0;
}

int Judge(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  auto code = ctx.args.Get("code");
  if (!cy.ok() || !code) {
    return UsageError("judge needs --county, --year and --code");
  }
  if (ctx.args.Has("pass") == ctx.args.Has("fail")) {
    return UsageError("judge needs exactly one of --pass and --fail");
  }
  v1::RecordJudgementRequest request;
  request.set_name(absl::StrCat(*cy, "/judgements/", *code));
  request.set_passed(ctx.args.Has("pass"));
  request.set_comment(ctx.args.Get("comment").value_or(""));
  for (const auto& e : ctx.args.GetAll("evidence")) request.add_evidence(e);
  if (auto score = ctx.args.Get("score")) {
    double v = 0;
    if (!absl::SimpleAtod(*score, &v))
      return UsageError("--score takes a number");
    request.set_score(v);
  }
  v1::Judgement judgement;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(ctx.stub->RecordJudgement(&c, request, &judgement));
  if (!s.ok()) return Fail(ctx, s);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(judgement).c_str());
  } else {
    std::printf("recorded %s: %s (revision %lld)\n", judgement.name().c_str(),
                judgement.passed() ? "pass" : "FAIL",
                static_cast<long long>(judgement.revision().revision()));
  }
  return 0;
}

void PrintCountyTable(const v1::CountyEvaluation& e, bool markdown) {
  auto heading = [&](const std::string& h) {
    std::printf(markdown ? "\n## %s\n\n" : "\n%s\n", h.c_str());
  };
  int failing = 0, unreported = 0;
  for (const auto& f : e.failing_items()) {
    (f.outcome() == v1::FAIL ? failing : unreported)++;
  }
  std::printf(markdown ? "# %s（%s）%d 学年\n\n" : "%s (%s), school year %d\n",
              e.county_name().c_str(), e.county_code().c_str(), e.year());
  std::printf("standard %s, data revision %lld\n", e.standard().c_str(),
              static_cast<long long>(e.revision()));
  std::printf(markdown ? "\n**VERDICT: %s %s** — %d failing, %d not reported\n"
                       : "\nVERDICT: %s %s — %d failing, %d not reported\n",
              OutcomeText(e.outcome()), OutcomeZh(e.outcome()), failing,
              unreported);

  if (!e.failing_items().empty()) {
    heading("What keeps the county from passing (未达标及数据不全项目)");
    if (markdown) {
      std::printf(
          "| code | school | level | outcome | reason "
          "|\n|---|---|---|---|---|\n");
    }
    for (const auto& f : e.failing_items()) {
      const std::string school =
          f.school_code().empty()
              ? "county"
              : absl::StrCat(f.school_name(), " ", f.school_code());
      if (markdown) {
        std::printf("| %s | %s | %s | %s | %s |\n", f.code().c_str(),
                    school.c_str(), LevelZh(f.level()),
                    OutcomeText(f.outcome()), f.reason().c_str());
      } else {
        std::printf("  %s %s %s %s\n      %s\n", PadRight(f.code(), 4).c_str(),
                    PadRight(OutcomeText(f.outcome()), 12).c_str(),
                    PadRight(LevelZh(f.level()), 4).c_str(), school.c_str(),
                    f.reason().c_str());
      }
    }
  }
  if (!e.coefficients().empty()) {
    heading("Difference coefficients (差异系数, student-weighted)");
    if (markdown) {
      std::printf(
          "| code | level | schools | county value | CV | limit | result |\n"
          "|---|---|---|---|---|---|---|\n");
    }
    TextTable table(
        {"CODE", "LEVEL", "SCHOOLS", "COUNTY X̄", "CV", "LIMIT", "RESULT"},
        "llrrrrl");
    for (const auto& c : e.coefficients()) {
      const std::string cv = c.has_value() ? Num(c.value()) : "-";
      const std::string limit =
          c.has_limit() ? absl::StrFormat("%.2f", c.limit()) : "-";
      const std::string xbar = c.has_county_value()
                                   ? absl::StrFormat("%.2f", c.county_value())
                                   : "-";
      if (markdown) {
        std::printf("| %s | %s | %d | %s | %s | %s | %s |\n", c.code().c_str(),
                    LevelZh(c.level()), c.schools(), xbar.c_str(), cv.c_str(),
                    limit.c_str(), OutcomeText(c.outcome()));
      } else {
        table.AddRow({c.code(), LevelZh(c.level()), absl::StrCat(c.schools()),
                      xbar, cv, limit, OutcomeText(c.outcome())});
      }
    }
    if (!markdown) std::fputs(table.Render("  ").c_str(), stdout);
    for (const auto& c : e.composites()) {
      std::printf("  composite %s: %s (limit %.2f) %s\n", LevelZh(c.level()),
                  c.has_value() ? Num(c.value()).c_str() : "-", c.limit(),
                  OutcomeText(c.outcome()));
    }
  }
  heading("Areas and indicators (领域与指标)");
  for (const auto& a : e.areas()) {
    std::printf(markdown ? "\n**%s %s: %s**\n\n" : "  %s %s: %s\n",
                a.name_zh().c_str(), a.name_en().c_str(),
                OutcomeText(a.outcome()));
    if (markdown) {
      std::printf(
          "| code | indicator | result | evidence |\n|---|---|---|---|\n");
    }
    for (const auto& i : a.indicators()) {
      std::string evidence = EvidenceText(i.evidence());
      if (i.missing_evidence_at_size() > 0) {
        absl::StrAppend(
            &evidence, " (", i.missing_evidence_at_size(),
            i.missing_evidence_at_size() == 1 ? " place" : " places", ")");
      }
      if (markdown) {
        std::printf("| %s | %s | %s | %s |\n", i.code().c_str(),
                    i.name_zh().c_str(), OutcomeText(i.outcome()),
                    evidence.c_str());
      } else {
        std::printf("    %s %s evidence %s %s\n", PadRight(i.code(), 4).c_str(),
                    PadRight(OutcomeText(i.outcome()), 13).c_str(),
                    PadRight(evidence, 20).c_str(), i.name_zh().c_str());
      }
    }
  }
  if (!e.vetoes().empty()) {
    heading("Veto items (一票否决)");
    // For a veto item a pass means the county is clear of it.
    for (const auto& v : e.vetoes()) {
      const char* state = v.outcome() == v1::PASS   ? "clear 无"
                          : v.outcome() == v1::FAIL ? "APPLIES 存在"
                                                    : OutcomeText(v.outcome());
      if (markdown) {
        std::printf("- %s %s: %s\n", v.code().c_str(), state,
                    v.name_zh().c_str());
      } else {
        std::printf("  %s %s %s\n", PadRight(v.code(), 4).c_str(),
                    PadRight(state, 13).c_str(), v.name_zh().c_str());
      }
    }
  }
  for (const auto& w : e.warnings()) std::printf("\nwarning: %s\n", w.c_str());
}

// One line per measured value: for the provincial system and spreadsheets.
void PrintCountyCsv(const v1::CountyEvaluation& e) {
  std::printf(
      "county_code,year,school_code,school_name,level,indicator,"
      "measure,value,threshold,outcome,shortfall,shortfall_unit\n");
  auto line = [&](const std::string& school_code,
                  const std::string& school_name,
                  const v1::IndicatorResult& r) {
    for (const auto& m : r.measurements()) {
      std::printf(
          "%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", e.county_code().c_str(),
          e.year(), school_code.c_str(), CsvCell(school_name).c_str(),
          m.level() == v1::LEVEL_PRIMARY  ? "primary"
          : m.level() == v1::LEVEL_JUNIOR ? "junior"
                                          : "",
          r.code().c_str(), m.measure().c_str(),
          m.has_value() ? absl::StrFormat("%.6g", m.value()).c_str() : "",
          m.has_threshold() ? absl::StrFormat("%g", m.threshold()).c_str() : "",
          OutcomeText(m.outcome()),
          m.has_shortfall()
              ? absl::StrFormat("%g", m.shortfall().amount()).c_str()
              : "",
          m.has_shortfall() ? m.shortfall().unit().c_str() : "");
    }
  };
  for (const auto& s : e.schools()) {
    for (const auto& l : s.levels()) {
      for (const auto& r : l.indicators())
        line(s.school_code(), s.school_name(), r);
    }
    for (const auto& r : s.checks()) line(s.school_code(), s.school_name(), r);
  }
  for (const auto& a : e.areas()) {
    for (const auto& r : a.indicators()) {
      if (r.scope() == v1::SCOPE_COUNTY) line("", "", r);
    }
  }
  for (const auto& c : e.coefficients()) {
    std::printf("%s,%d,,,%s,%s,coefficient,%s,%s,%s,,\n",
                e.county_code().c_str(), e.year(),
                c.level() == v1::LEVEL_PRIMARY ? "primary" : "junior",
                c.code().c_str(), c.has_value() ? Num(c.value()).c_str() : "",
                c.has_limit() ? absl::StrFormat("%g", c.limit()).c_str() : "",
                OutcomeText(c.outcome()));
  }
}

// --format xlsx / html: the report as a file (-o), or HTML on stdout.
int WriteReport(const Context& ctx, const v1::CountyEvaluation& eval) {
  const std::string output = ctx.args.Get("output").value_or("");
  if (ctx.format == "xlsx") {
    if (output.empty() || output == "-") {
      return UsageError("--format xlsx writes a file: give -o FILE.xlsx");
    }
    absl::Status s = WriteEvaluationXlsx(eval, output);
    if (!s.ok()) return ReportError(s);
  } else {
    const std::string html = CountyReportHtml(eval);
    if (output.empty() || output == "-") {
      std::fwrite(html.data(), 1, html.size(), stdout);
      return 0;
    }
    absl::Status s = WriteFileAtomically(output, html);
    if (!s.ok()) return ReportError(s);
  }
  std::fprintf(stderr, "junheng: wrote %s\n", output.c_str());
  return 0;
}

int Evaluate(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  if (!cy.ok()) return UsageError("evaluate needs --county and --year");
  v1::EvaluateCountyRequest request;
  request.set_name(*cy);
  if (auto s = ctx.args.Get("standard"))
    request.set_standard("standards/" + *s);
  if (auto r = ctx.args.Get("as_of")) {
    int64_t rev = 0;
    if (!absl::SimpleAtoi(*r, &rev))
      return UsageError("--as_of takes a revision");
    request.set_as_of_revision(rev);
  }
  request.set_skip_evidence(ctx.args.Has("no_evidence"));
  v1::CountyEvaluation eval;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(ctx.stub->EvaluateCounty(&c, request, &eval));
  if (s.ok()) s = ExpandEvaluation(&eval);
  if (!s.ok()) return Fail(ctx, s);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(eval).c_str());
  } else if (ctx.format == "xlsx" || ctx.format == "html") {
    return WriteReport(ctx, eval);
  } else if (ctx.format == "csv") {
    PrintCountyCsv(eval);
  } else {
    PrintCountyTable(eval, ctx.format == "markdown");
  }
  return 0;
}

int School(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  auto school = ctx.args.Get("school");
  if (!cy.ok() || !school) {
    return UsageError("school needs --county, --year and --school");
  }
  v1::EvaluateSchoolRequest request;
  request.set_name(absl::StrCat(*cy, "/schools/", *school));
  if (auto s = ctx.args.Get("standard"))
    request.set_standard("standards/" + *s);
  v1::SchoolEvaluation eval;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(ctx.stub->EvaluateSchool(&c, request, &eval));
  if (!s.ok()) return Fail(ctx, s);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(eval).c_str());
    return 0;
  }
  std::printf("%s %s (%s): %s %s\n", eval.school_name().c_str(),
              eval.school_code().c_str(), eval.school_type().c_str(),
              OutcomeText(eval.outcome()), OutcomeZh(eval.outcome()));
  if (!eval.counted())
    std::printf("  not counted: %s\n", eval.exclusion_reason().c_str());
  for (const auto& l : eval.levels()) {
    std::printf("  %s (%lld students): %s — %d of %d met\n", LevelZh(l.level()),
                static_cast<long long>(l.students()), OutcomeText(l.outcome()),
                l.met(), l.rule_indicators());
    for (const auto& r : l.indicators()) {
      for (const auto& m : r.measurements()) {
        std::printf(
            "    %-3s %10s  %s %-8s %-12s %s\n", r.code().c_str(),
            m.has_value() ? absl::StrFormat("%.2f", m.value()).c_str() : "-",
            m.has_threshold() ? "vs" : "  ",
            m.has_threshold() ? absl::StrFormat("%g", m.threshold()).c_str()
                              : "",
            OutcomeText(m.outcome()),
            m.has_shortfall()
                ? absl::StrFormat("short by %g %s", m.shortfall().amount(),
                                  m.shortfall().unit_zh())
                      .c_str()
                : "");
      }
    }
  }
  for (const auto& r : eval.checks()) {
    std::printf("  %-3s %-12s %s\n", r.code().c_str(), OutcomeText(r.outcome()),
                absl::StrJoin(r.reasons(), "; ").c_str());
  }
  return 0;
}

int Report(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  auto school = ctx.args.Get("school");
  if (!cy.ok() || !school) {
    return UsageError("report needs --county, --year and --school");
  }
  v1::GetSchoolReportRequest request;
  request.set_name(absl::StrCat(*cy, "/schools/", *school, "/statistics"));
  if (auto r = ctx.args.Get("as_of")) {
    int64_t rev = 0;
    if (!absl::SimpleAtoi(*r, &rev))
      return UsageError("--as_of takes a revision");
    request.set_as_of_revision(rev);
  }
  v1::SchoolReport report;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(ctx.stub->GetSchoolReport(&c, request, &report));
  if (!s.ok()) return Fail(ctx, s);
  if (ctx.format == "json") {
    std::printf("%s\n", ToJson(report).c_str());
    return 0;
  }
  std::printf("%s (revision %lld by %s)\n", report.school_name().c_str(),
              static_cast<long long>(report.revision().revision()),
              report.revision().submitter().c_str());
  std::map<std::string, std::string> sorted(report.values().begin(),
                                            report.values().end());
  TextTable table({"COLUMN", "VALUE"});
  for (const auto& [k, v] : sorted) table.AddRow({k, v});
  std::fputs(table.Render("  ").c_str(), stdout);
  return 0;
}

// "330106" from "counties/330106/years/2025".
std::string CountyCode(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 ? parts[1] : name;
}

int Province(Context& ctx) {
  auto province = ctx.args.Get("province");
  auto year = ctx.args.Get("year");
  if (!province || !year)
    return UsageError("province needs --province and --year");
  v1::EvaluateProvinceRequest request;
  request.set_name(absl::StrCat("provinces/", *province, "/years/", *year));
  if (auto s = ctx.args.Get("standard"))
    request.set_standard("standards/" + *s);
  if (auto as_of = ctx.args.Get("as_of")) {
    int64_t revision = 0;
    if (!absl::SimpleAtoi(*as_of, &revision) || revision < 0) {
      return UsageError("--as_of takes a revision number");
    }
    request.set_as_of_revision(revision);
  }
  if (auto token = ctx.args.Get("page_token")) request.set_page_token(*token);
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Minutes(10));
  auto reader = ctx.stub->EvaluateProvince(&c, request);
  v1::EvaluateProvinceResponse item;
  int counties = 0, passing = 0, errors = 0;
  int64_t revision = 0;
  std::string standard, sha256, last_county, resume_token;
  TextTable table({"COUNTY", "NAME", "VERDICT", "ITEMS"}, "lllr");
  std::vector<std::string> failures;
  while (reader->Read(&item)) {
    ++counties;
    revision = item.as_of_revision();
    last_county = item.county();
    resume_token = item.next_page_token();
    if (item.has_evaluation()) {
      absl::Status expanded = ExpandEvaluation(item.mutable_evaluation());
      if (!expanded.ok()) return Fail(ctx, expanded);
    }
    if (ctx.format == "json") {
      std::printf("%s\n", ToJson(item).c_str());
    }
    if (item.has_error()) {
      ++errors;
      if (ctx.format != "json") {
        // Below the table: a message is no column of it.
        failures.push_back(absl::StrCat(
            CountyCode(item.county()), " ERROR ",
            absl::StatusCodeToString(
                static_cast<absl::StatusCode>(item.error().code())),
            ": ", item.error().message()));
      }
      continue;
    }
    const v1::CountyEvaluation& eval = item.evaluation();
    standard = eval.standard();
    sha256 = eval.standard_sha256();
    if (eval.outcome() == v1::PASS) ++passing;
    if (ctx.format != "json") {
      table.AddRow({eval.county_code(), eval.county_name(),
                    OutcomeText(eval.outcome()),
                    absl::StrCat(eval.failing_items_size())});
    }
  }
  absl::Status s = FromGrpc(reader->Finish());
  if (!s.ok()) {
    if (!resume_token.empty()) {
      // What arrived is kept; the rest can be had without starting over.
      std::fprintf(stderr,
                   "junheng: the stream broke after %s; to get the counties "
                   "after it, run the same command with\n  --page_token %s\n",
                   last_county.c_str(), resume_token.c_str());
    }
    return Fail(ctx, s);
  }
  if (ctx.format != "json") {
    std::fputs(table.Render().c_str(), stdout);
    for (const std::string& f : failures) std::printf("%s\n", f.c_str());
    std::printf("%d counties, %d passing", counties, passing);
    if (errors > 0) std::printf(", %d could not be evaluated", errors);
    if (counties > 0) {
      std::printf(" (as of revision %lld", static_cast<long long>(revision));
      if (!standard.empty()) {
        std::printf(", %s sha256 %s", standard.c_str(),
                    sha256.substr(0, 12).c_str());
      }
      std::printf(")");
    }
    std::printf("\n");
  }
  if (errors > 0) {
    std::fprintf(stderr,
                 "junheng: %d count%s could not be evaluated; see ERROR "
                 "above\n",
                 errors, errors == 1 ? "y" : "ies");
    return kExitError;
  }
  return 0;
}

int Template(const Args& args) {
  if (args.Get("format").value_or("xlsx") != "xlsx") {
    return UsageError("checklist template writes --format xlsx");
  }
  const std::string output = args.Get("output").value_or("");
  if (output.empty() || output == "-") {
    return UsageError("checklist template needs -o FILE.xlsx");
  }
  absl::Status s = WriteImportTemplate(output);
  if (!s.ok()) return ReportError(s);
  std::fprintf(stderr, "junheng: wrote %s\n", output.c_str());
  return 0;
}

}  // namespace

int RunChecklistCommand(const Args& args) {
  const auto& words = args.positional();
  if (words.size() < 2 || words[1] == "help") {
    std::fputs(kChecklistUsage, words.size() < 2 ? stderr : stdout);
    return words.size() < 2 ? kExitUsage : 0;
  }
  const std::string& verb = words[1];
  if (IsRectificationVerb(verb)) return RunRectificationCommand(args);
  static const std::map<std::string, std::set<std::string>> kFlags = {
      {"standards", {}},
      {"import", {"comment", "sheet"}},
      {"template", {"output"}},
      {"judge",
       {"county", "year", "code", "pass", "fail", "comment", "evidence",
        "score"}},
      {"evaluate",
       {"county", "year", "standard", "as_of", "no_evidence", "output"}},
      {"school", {"county", "year", "school", "standard"}},
      {"report", {"county", "year", "school", "as_of"}},
      {"province", {"province", "year", "standard", "as_of", "page_token"}},
  };
  auto flags = kFlags.find(verb);
  if (flags == kFlags.end()) {
    return UsageError(absl::StrCat("unknown command 'checklist ", verb, "'"));
  }
  std::set<std::string> known = flags->second;
  known.insert({"checklist_addr", "format"});
  known.insert(kCredentialFlags.begin(), kCredentialFlags.end());
  if (auto unknown = args.Unknown(known); !unknown.empty()) {
    return UsageError(absl::StrCat("checklist ", verb, " does not take ",
                                   absl::StrJoin(unknown, ", ")));
  }
  const std::string format = args.Get("format").value_or("table");
  if (verb == "template") return Template(args);
  if (format != "table" && format != "json" && format != "csv" &&
      format != "markdown" &&
      !(verb == "evaluate" && (format == "xlsx" || format == "html"))) {
    return UsageError(
        verb == "evaluate"
            ? "--format is table, json, csv, markdown, xlsx or html"
            : "--format is table, json, csv or markdown");
  }
  auto connected =
      ConnectCommand<v1::ChecklistService>(args, format, "checklist");
  if (!connected.ok()) return ReportError(connected.status());
  Context& ctx = *connected;
  if (verb == "standards") return Standards(ctx);
  if (verb == "import") {
    if (words.size() < 3 || (words[2] != "schools" && words[2] != "counties")) {
      return UsageError("import takes 'schools FILE' or 'counties FILE'");
    }
    return Import(ctx, words[2] == "schools");
  }
  if (verb == "judge") return Judge(ctx);
  if (verb == "evaluate") return Evaluate(ctx);
  if (verb == "school") return School(ctx);
  if (verb == "report") return Report(ctx);
  return Province(ctx);
}

}  // namespace junheng::cli
