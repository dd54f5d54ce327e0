// `junheng checklist plan|whatif|items …`: rectification (整改), through
// RectificationService at the checklist's address.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli.h"
#include "clients/command_context.h"
#include "clients/commands.h"
#include "clients/connection.h"
#include "clients/rectification_input.h"
#include "clients/rectification_tables.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/school_table.h"
#include "junheng/v1/rectification.grpc.pb.h"

namespace junheng::cli {
namespace {

// Larger is not a plan, an actions list or a cost file; it is a mistake.
constexpr std::streamsize kMaxInputBytes = 16 << 20;

using Context = CommandContext<v1::RectificationService::Stub>;

// Says a server error as ReportError does, with each violated field shown
// as `where` names it, so that a field of the request the CLI built from a
// file ("costs_csv", "actions[3].school") is named as the file's line.
int Fail(
    const Context& ctx, const absl::Status& status,
    const std::function<std::string(const std::string&)>& where = nullptr) {
  if (absl::IsUnavailable(status)) {
    return ReportError(absl::UnavailableError(
        absl::StrCat("cannot reach the checklist service at ", ctx.address,
                     " (", status.message(),
                     "); is junheng-checklist running? Set "
                     "--checklist_addr or JUNHENG_CHECKLIST_ADDR")));
  }
  if (!where) return ReportError(status);
  std::fprintf(stderr, "junheng: %s: %s\n",
               absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str());
  for (const FieldViolation& v : FieldViolations(status)) {
    std::fprintf(stderr, "  - %s: %s\n", where(v.field).c_str(),
                 v.description.c_str());
  }
  return kExitError;
}

// "actions[3].school" → "FILE line 7 (school)", by the line each action
// came from; `prefix` is what precedes "actions[" in the request.
std::function<std::string(const std::string&)> ActionLines(
    const std::string& path, const std::string& prefix,
    const std::vector<int64_t>& lines) {
  return [=](const std::string& field) -> std::string {
    absl::string_view f = field;
    if (!absl::ConsumePrefix(&f, prefix + "actions[")) return field;
    const size_t close = f.find(']');
    size_t index = 0;
    if (close == absl::string_view::npos ||
        !absl::SimpleAtoi(f.substr(0, close), &index)) {
      return field;
    }
    absl::string_view rest = f.substr(close + 1);
    absl::ConsumePrefix(&rest, ".");
    std::string out = index < lines.size()
                          ? absl::StrCat(path, " line ", lines[index])
                          : absl::StrCat(path, " action ", index + 1);
    if (!rest.empty()) absl::StrAppend(&out, " (", rest, ")");
    return out;
  };
}

// The bytes of a file named on the command line; a message to act on
// otherwise.
absl::StatusOr<std::string> ReadInput(const std::string& path,
                                      const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read the ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::string bytes(static_cast<size_t>(kMaxInputBytes) + 1, '\0');
  in.read(bytes.data(), kMaxInputBytes + 1);
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the ", what, " ", path, ": read failed"));
  }
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() > static_cast<size_t>(kMaxInputBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is over 16 MiB; it is not a ", what));
  }
  return bytes;
}

// Prints `text`, or writes it to -o FILE (atomically) and says so.
int Emit(const Context& ctx, const std::string& text) {
  const std::string output = ctx.args.Get("output").value_or("");
  if (output.empty() || output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  absl::Status s = WriteFileAtomically(output, text);
  if (!s.ok()) return ReportError(s);
  std::fprintf(stderr, "junheng: wrote %s\n", output.c_str());
  return 0;
}

absl::StatusOr<std::string> CountyYear(const Args& args) {
  auto county = args.Get("county");
  auto year = args.Get("year");
  if (!county || !year) {
    return absl::InvalidArgumentError("needs --county and --year");
  }
  return absl::StrCat("counties/", *county, "/years/", *year);
}

// --standard and --as_of, shared by plan and whatif. Returns a usage
// message, empty when they read.
std::string StandardAndRevision(const Args& args, std::string* standard,
                                int64_t* as_of) {
  if (auto s = args.Get("standard")) *standard = "standards/" + *s;
  if (auto r = args.Get("as_of")) {
    if (!absl::SimpleAtoi(*r, as_of) || *as_of < 0) {
      return "--as_of takes a revision number";
    }
  }
  return "";
}

// A plan file for `county_year`, or a usage message in *error.
std::optional<v1::RectificationPlan> ReadPlan(const std::string& path,
                                              const std::string& county_year,
                                              std::string* error) {
  absl::StatusOr<std::string> bytes = ReadInput(path, "plan file");
  if (!bytes.ok()) {
    *error = std::string(bytes.status().message());
    return std::nullopt;
  }
  absl::StatusOr<v1::RectificationPlan> plan = ParsePlanJson(*bytes);
  if (!plan.ok()) {
    *error = absl::StrCat(path, " ", plan.status().message());
    return std::nullopt;
  }
  if (plan->name() != county_year) {
    *error =
        absl::StrCat(path, " holds the plan of ", plan->name(), ", not of ",
                     county_year, "; check --county and --year");
    return std::nullopt;
  }
  return *std::move(plan);
}

int Plan(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  if (!cy.ok()) return UsageError("plan needs --county and --year");
  v1::PlanRectificationRequest request;
  request.set_name(*cy);
  std::string standard;
  int64_t as_of = 0;
  if (std::string e = StandardAndRevision(ctx.args, &standard, &as_of);
      !e.empty()) {
    return UsageError(e);
  }
  request.set_standard(standard);
  request.set_as_of_revision(as_of);
  const std::string costs = ctx.args.Get("costs").value_or("");
  if (!costs.empty()) {
    absl::StatusOr<std::string> csv = ReadInput(costs, "cost file");
    if (!csv.ok()) return UsageError(csv.status().message());
    request.set_costs_csv(*csv);
  }
  request.set_require_every_indicator(ctx.args.Has("every_indicator"));
  request.set_no_rotation(ctx.args.Has("no_rotation"));
  v1::RectificationPlan plan;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Minutes(2));
  absl::Status s = FromGrpc(ctx.stub->PlanRectification(&c, request, &plan));
  if (!s.ok()) {
    return Fail(ctx, s, [&](const std::string& field) {
      return field == "costs_csv" ? costs : field;
    });
  }
  if (ctx.format == "json") return Emit(ctx, ToJson(plan) + "\n");
  if (ctx.format == "csv") return Emit(ctx, PlanCsv(plan));
  return Emit(ctx, PlanTable(plan));
}

int WhatIf(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  if (!cy.ok()) return UsageError("whatif needs --county and --year");
  const auto plan_path = ctx.args.Get("plan");
  const auto actions_path = ctx.args.Get("actions");
  if (plan_path.has_value() == actions_path.has_value()) {
    return UsageError(
        "whatif needs one of --plan FILE (from `junheng checklist plan "
        "--format json -o FILE`) and --actions FILE (a CSV with the columns "
        "kind,school_code,from_school_code,level,resource,quantity)");
  }
  v1::SimulateRectificationRequest request;
  request.set_name(*cy);
  std::string standard;
  int64_t as_of = 0;
  if (std::string e = StandardAndRevision(ctx.args, &standard, &as_of);
      !e.empty()) {
    return UsageError(e);
  }
  std::function<std::string(const std::string&)> where;
  if (plan_path) {
    std::string error;
    auto plan = ReadPlan(*plan_path, *cy, &error);
    if (!plan) return UsageError(error);
    *request.mutable_actions() = plan->actions();
    // The plan was made under its standard; judge it by the same one.
    if (standard.empty()) standard = plan->standard();
    where = ActionLines(*plan_path, "", {});
  } else {
    absl::StatusOr<std::string> csv = ReadInput(*actions_path, "actions file");
    if (!csv.ok()) return UsageError(csv.status().message());
    absl::StatusOr<ParsedActions> parsed = ParseActionsCsv(*csv, *cy);
    if (!parsed.ok()) {
      return UsageError(
          absl::StrCat(*actions_path, ":\n  ", parsed.status().message()));
    }
    for (auto& a : parsed->actions) *request.add_actions() = std::move(a);
    where = ActionLines(*actions_path, "", parsed->lines);
  }
  request.set_standard(standard);
  request.set_as_of_revision(as_of);
  request.set_view(v1::EVALUATION_VIEW_FULL);
  v1::SimulateRectificationResponse response;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Minutes(2));
  absl::Status s =
      FromGrpc(ctx.stub->SimulateRectification(&c, request, &response));
  if (s.ok()) s = ExpandEvaluation(response.mutable_before());
  if (s.ok()) s = ExpandEvaluation(response.mutable_after());
  if (!s.ok()) return Fail(ctx, s, where);
  if (ctx.format == "json") return Emit(ctx, ToJson(response) + "\n");
  return Emit(ctx, WhatIfTable(response, request.actions_size()));
}

int Adopt(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  if (!cy.ok()) return UsageError("items adopt needs --county and --year");
  const auto plan_path = ctx.args.Get("plan");
  if (!plan_path) {
    return UsageError(
        "items adopt needs --plan FILE, the plan `junheng checklist plan "
        "--format json -o FILE` wrote");
  }
  std::string error;
  auto plan = ReadPlan(*plan_path, *cy, &error);
  if (!plan) return UsageError(error);
  v1::AdoptRectificationPlanRequest request;
  request.set_parent(*cy);
  *request.mutable_plan() = *std::move(plan);
  request.set_owner(ctx.args.Get("owner").value_or(""));
  if (auto d = ctx.args.Get("deadline")) {
    auto deadline = ParseDeadline(*d);
    if (!deadline.ok()) return UsageError(deadline.status().message());
    *request.mutable_deadline() = *deadline;
  }
  const auto given_id = ctx.args.Get("request_id");
  request.set_request_id(given_id.value_or(NewRequestId()));

  // A call that may or may not have reached the service is sent again
  // under the same request id, which the service answers with the items it
  // made the first time: retrying never adopts the plan twice.
  v1::AdoptRectificationPlanResponse response;
  absl::Status s;
  constexpr int kAttempts = 3;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    response.Clear();
    grpc::ClientContext c;
    ctx.Prepare(c, absl::Minutes(1));
    s = FromGrpc(ctx.stub->AdoptRectificationPlan(&c, request, &response));
    const bool transient =
        absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
    if (s.ok() || !transient || attempt == kAttempts) break;
    std::fprintf(stderr, "junheng: %s; trying again (%d of %d)\n",
                 s.ToString().c_str(), attempt + 1, kAttempts);
    absl::SleepFor(absl::Seconds(1 << (attempt - 1)));
  }
  if (!s.ok()) {
    const int code = Fail(ctx, s, [&](const std::string& field) {
      return absl::StartsWith(field, "plan.")
                 ? absl::StrCat(*plan_path, ": ", field.substr(5))
                 : field;
    });
    if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
      std::fprintf(stderr,
                   "junheng: the plan may or may not have been adopted; run "
                   "the same command with --request_id %s to find out "
                   "without adopting it twice\n",
                   request.request_id().c_str());
    }
    return code;
  }
  if (ctx.format == "json") return Emit(ctx, ToJson(response) + "\n");
  std::string out =
      absl::StrCat("adopted ", response.items_size(), " rectification items (",
                   "request_id ", request.request_id(), ")\n");
  absl::StrAppend(&out, ItemsTable(response.items()));
  return Emit(ctx, out);
}

int List(Context& ctx) {
  auto cy = CountyYear(ctx.args);
  if (!cy.ok()) return UsageError("items list needs --county and --year");
  std::vector<std::string> terms;
  if (ctx.args.Has("overdue")) terms.push_back("overdue");
  if (auto status = ctx.args.Get("status")) {
    const std::string s = absl::AsciiStrToLower(*status);
    if (s != "open" && s != "in_progress" && s != "done" && s != "verified") {
      return UsageError("--status is open, in_progress, done or verified");
    }
    terms.push_back("status=" + absl::AsciiStrToUpper(s));
  }
  if (auto school = ctx.args.Get("school")) {
    if (!IsValidSchoolCode(*school)) {
      return UsageError("--school takes a 10-digit school code");
    }
    terms.push_back("school=" + *school);
  }
  v1::ListRectificationItemsRequest request;
  request.set_parent(*cy);
  request.set_filter(absl::StrJoin(terms, " AND "));
  v1::ListRectificationItemsResponse all;
  std::set<std::string> tokens_seen;
  do {
    v1::ListRectificationItemsResponse page;
    grpc::ClientContext c;
    ctx.Prepare(c, absl::Seconds(30));
    absl::Status s =
        FromGrpc(ctx.stub->ListRectificationItems(&c, request, &page));
    if (!s.ok()) return Fail(ctx, s);
    for (auto& item : *page.mutable_items()) {
      *all.add_items() = std::move(item);
    }
    // A token handed out twice would page forever.
    if (!tokens_seen.insert(page.next_page_token()).second) {
      return ReportError(absl::InternalError(
          "the service returned the same page token twice; the list is "
          "incomplete"));
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (ctx.format == "json") return Emit(ctx, ToJson(all) + "\n");
  if (ctx.format == "csv") return Emit(ctx, ItemsCsv(all.items()));
  if (all.items().empty()) {
    return Emit(ctx,
                absl::StrCat("no rectification items in ", *cy,
                             terms.empty() ? "" : " match the filter", "\n"));
  }
  int overdue = 0;
  double cost = 0;
  for (const auto& i : all.items()) {
    overdue += i.overdue() ? 1 : 0;
    cost += i.action().cost_yuan();
  }
  return Emit(
      ctx, absl::StrCat(ItemsTable(all.items()), "共 ", all.items_size(),
                        " 项 items · 逾期 ", overdue, " 项 overdue · 估算费用 ",
                        Grouped(cost), " 元\n"));
}

// The item a get or update names: a full name, or its number with
// --county and --year.
std::optional<std::string> ItemName(const Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() != 4) return std::nullopt;
  const std::string& word = words[3];
  int64_t id = 0;
  if (absl::SimpleAtoi(word, &id)) {
    auto cy = CountyYear(ctx.args);
    if (!cy.ok()) return std::nullopt;
    return absl::StrCat(*cy, "/rectificationItems/", word);
  }
  return word;
}

constexpr char kItemNameUsage[] =
    " takes an item's name (counties/C/years/Y/rectificationItems/N), or N "
    "with --county and --year";

int Print(const Context& ctx, const v1::RectificationItem& item,
          const std::string& opening) {
  if (ctx.format == "json") return Emit(ctx, ToJson(item) + "\n");
  return Emit(ctx, opening + ItemText(item));
}

int Get(Context& ctx) {
  auto name = ItemName(ctx);
  if (!name) return UsageError(absl::StrCat("items get", kItemNameUsage));
  v1::GetRectificationItemRequest request;
  request.set_name(*name);
  v1::RectificationItem item;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s = FromGrpc(ctx.stub->GetRectificationItem(&c, request, &item));
  if (!s.ok()) return Fail(ctx, s);
  return Print(ctx, item, "");
}

int Update(Context& ctx) {
  auto name = ItemName(ctx);
  if (!name) return UsageError(absl::StrCat("items update", kItemNameUsage));
  v1::UpdateRectificationItemRequest request;
  v1::RectificationItem& item = *request.mutable_item();
  item.set_name(*name);
  // Revision 0: the fields given are set whatever the item's revision;
  // nothing was read here that a concurrent change could make stale.
  auto* mask = request.mutable_update_mask();
  if (auto owner = ctx.args.Get("owner")) {
    item.set_owner(*owner);
    mask->add_paths("owner");
  }
  if (auto d = ctx.args.Get("deadline")) {
    if (*d != "none") {
      auto deadline = ParseDeadline(*d);
      if (!deadline.ok()) {
        return UsageError(absl::StrCat(deadline.status().message(),
                                       " (or none to remove the deadline)"));
      }
      *item.mutable_deadline() = *deadline;
    }
    mask->add_paths("deadline");
  }
  if (auto status = ctx.args.Get("status")) {
    const std::string s = absl::AsciiStrToLower(*status);
    if (s == "open") {
      item.set_status(v1::RectificationItem::OPEN);
    } else if (s == "in_progress") {
      item.set_status(v1::RectificationItem::IN_PROGRESS);
    } else if (s == "done") {
      item.set_status(v1::RectificationItem::DONE);
    } else if (s == "verified") {
      return UsageError(
          "--status verified cannot be set: an item is verified when the "
          "statistics show its gap closed and its evidence is in the "
          "archive; set --status done and link --evidence");
    } else {
      return UsageError("--status is open, in_progress or done");
    }
    mask->add_paths("status");
  }
  if (ctx.args.Has("evidence")) {
    for (const std::string& value : ctx.args.GetAll("evidence")) {
      for (absl::string_view e : absl::StrSplit(value, ',')) {
        e = absl::StripAsciiWhitespace(e);
        if (!e.empty()) item.add_evidence(std::string(e));
      }
    }
    mask->add_paths("evidence");
  }
  if (mask->paths().empty()) {
    return UsageError(
        "items update needs one or more of --owner, --deadline, --status and "
        "--evidence; nothing was changed");
  }
  v1::RectificationItem updated;
  grpc::ClientContext c;
  ctx.Prepare(c, absl::Seconds(30));
  absl::Status s =
      FromGrpc(ctx.stub->UpdateRectificationItem(&c, request, &updated));
  if (!s.ok()) return Fail(ctx, s);
  return Print(
      ctx, updated,
      absl::StrCat("updated ", absl::StrJoin(mask->paths(), ", "), "\n"));
}

struct Verb {
  std::set<std::string> flags;
  std::vector<std::string> formats;
  int (*run)(Context&);
};

}  // namespace

bool IsRectificationVerb(const std::string& verb) {
  return verb == "plan" || verb == "whatif" || verb == "items";
}

int RunRectificationCommand(const Args& args) {
  const auto& words = args.positional();
  std::string verb = words[1];
  if (verb == "items") {
    if (words.size() < 3) {
      return UsageError(
          "checklist items takes adopt, list, get or update; run 'junheng "
          "checklist help'");
    }
    verb = "items " + words[2];
  }
  static const std::map<std::string, Verb> kVerbs = {
      {"plan",
       {{"county", "year", "standard", "as_of", "costs", "every_indicator",
         "no_rotation", "output"},
        {"table", "json", "csv"},
        Plan}},
      {"whatif",
       {{"county", "year", "plan", "actions", "standard", "as_of", "output"},
        {"table", "json"},
        WhatIf}},
      {"items adopt",
       {{"county", "year", "plan", "owner", "deadline", "request_id"},
        {"table", "json"},
        Adopt}},
      {"items list",
       {{"county", "year", "overdue", "status", "school", "output"},
        {"table", "json", "csv"},
        List}},
      {"items get", {{"county", "year"}, {"table", "json"}, Get}},
      {"items update",
       {{"county", "year", "owner", "deadline", "status", "evidence"},
        {"table", "json"},
        Update}},
  };
  auto it = kVerbs.find(verb);
  if (it == kVerbs.end()) {
    return UsageError(absl::StrCat("unknown command 'checklist ", verb, "'"));
  }
  const Verb& v = it->second;
  const size_t positional = verb == "plan" || verb == "whatif"              ? 2
                            : verb == "items get" || verb == "items update" ? 4
                                                                            : 3;
  if (words.size() > positional) {
    return UsageError(absl::StrCat("checklist ", verb, " does not take '",
                                   words[positional], "'"));
  }
  std::set<std::string> known = v.flags;
  known.insert({"checklist_addr", "format"});
  known.insert(kCredentialFlags.begin(), kCredentialFlags.end());
  if (auto unknown = args.Unknown(known); !unknown.empty()) {
    return UsageError(absl::StrCat("checklist ", verb, " does not take ",
                                   absl::StrJoin(unknown, ", ")));
  }
  const std::string format = args.Get("format").value_or("table");
  if (std::find(v.formats.begin(), v.formats.end(), format) ==
      v.formats.end()) {
    const std::vector<std::string> but_last(v.formats.begin(),
                                            v.formats.end() - 1);
    return UsageError(absl::StrCat("checklist ", verb, ": --format is ",
                                   absl::StrJoin(but_last, ", "), " or ",
                                   v.formats.back()));
  }
  auto connected =
      ConnectCommand<v1::RectificationService>(args, format, "checklist");
  if (!connected.ok()) return ReportError(connected.status());
  Context& ctx = *connected;
  return v.run(ctx);
}

}  // namespace junheng::cli
