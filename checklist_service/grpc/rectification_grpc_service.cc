#include "checklist_service/grpc/rectification_grpc_service.h"

#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checklist_service/grpc/verdict_proto.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

absl::StatusOr<Principal> Admit(Authenticator& auth,
                                const grpc::ServerContext& context,
                                Permission permission) {
  ASSIGN_OR_RETURN(Principal who, auth.Authenticate(context));
  RETURN_IF_ERROR(Authorize(who, permission, who.scope));
  return who;
}

absl::StatusOr<CountyYearName> ParseCountyYear(const std::string& name,
                                               absl::string_view field) {
  constexpr char kShape[] = "counties/{county}/years/{year}";
  ASSIGN_OR_RETURN(CountyYearName cy, ParseCountyYearName(name, field, kShape));
  if (!cy.school.empty() || !cy.tail.empty()) {
    return InvalidField(std::string(field), absl::StrCat("expected ", kShape));
  }
  return cy;
}

std::string SchoolName(const std::string& county, int year,
                       const std::string& school) {
  return CountyYearName{county, year, school, ""}.ToString();
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

void SetMicros(int64_t us, google::protobuf::Timestamp* out) {
  SetTime(absl::FromUnixMicros(us), out);
}

// A timestamp a person could have meant: 2000–2100, nanos in range.
absl::StatusOr<absl::Time> TimeOf(const google::protobuf::Timestamp& t,
                                  const std::string& field) {
  if (t.nanos() < 0 || t.nanos() > 999999999 || t.seconds() < 946684800 ||
      t.seconds() > 4102444800) {
    return InvalidField(field, "must be a time between 2000 and 2100");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToApi(const PlanGap& gap, const std::string& county, int year,
           v1::Gap* out) {
  out->set_indicator(gap.indicator);
  out->set_level(gap.level);
  out->set_coefficient(gap.coefficient);
  if (!gap.school_code.empty()) {
    out->set_school(SchoolName(county, year, gap.school_code));
  }
}

void ToApi(const PlanAction& a, const std::string& county, int year,
           const std::map<std::string, std::string>& names,
           v1::RectificationAction* out) {
  auto name_of = [&](const std::string& code) {
    auto it = names.find(code);
    return it == names.end() ? std::string() : it->second;
  };
  out->set_kind(a.kind == PlanAction::Kind::kRotate
                    ? v1::RectificationAction::ROTATE
                    : v1::RectificationAction::ADD);
  out->set_school(SchoolName(county, year, a.school_code));
  out->set_school_name(name_of(a.school_code));
  if (!a.from_school_code.empty()) {
    out->set_from_school(SchoolName(county, year, a.from_school_code));
    out->set_from_school_name(name_of(a.from_school_code));
  }
  out->set_level(a.level);
  const QuantityInfo info = InfoOf(a.resource);
  out->set_resource(info.column);
  out->set_quantity(a.quantity);
  out->set_unit(info.unit);
  out->set_unit_zh(info.unit_zh);
  out->set_cost_yuan(a.cost_yuan);
  for (const PlanGap& g : a.closes) ToApi(g, county, year, out->add_closes());
}

// The school code of a school name in the county and year, or a violation.
std::string SchoolCodeOf(const std::string& name, const std::string& county,
                         int year, const std::string& field,
                         std::vector<FieldViolation>& bad) {
  absl::StatusOr<CountyYearName> cy = ParseCountyYearName(
      name, field, "counties/{county}/years/{year}/schools/{school}");
  if (!cy.ok() || cy->school.empty() || !cy->tail.empty()) {
    bad.push_back(
        {field, absl::StrCat("\"", Excerpt(name, 80),
                             "\" is not a school name, counties/", county,
                             "/years/", year, "/schools/{10-digit code}")});
    return "";
  }
  if (cy->county != county || cy->year != year) {
    bad.push_back({field, absl::StrCat("is not a school of counties/", county,
                                       "/years/", year)});
    return "";
  }
  return cy->school;
}

// The actions as the planner takes them. Only their form is checked here;
// whether the county's statistics admit them is the application's to say.
absl::StatusOr<std::vector<PlanAction>> ActionsOf(
    const google::protobuf::RepeatedPtrField<v1::RectificationAction>& actions,
    const std::string& county, int year, const std::string& prefix) {
  std::vector<FieldViolation> bad;
  std::vector<PlanAction> out;
  for (int i = 0; i < actions.size(); ++i) {
    const v1::RectificationAction& a = actions[i];
    const std::string field = absl::StrCat(prefix, "actions[", i, "]");
    PlanAction action;
    if (a.kind() == v1::RectificationAction::ADD) {
      action.kind = PlanAction::Kind::kAdd;
    } else if (a.kind() == v1::RectificationAction::ROTATE) {
      action.kind = PlanAction::Kind::kRotate;
      action.from_school_code = SchoolCodeOf(a.from_school(), county, year,
                                             field + ".from_school", bad);
    } else {
      bad.push_back({field + ".kind", "must be ADD or ROTATE"});
    }
    action.school_code =
        SchoolCodeOf(a.school(), county, year, field + ".school", bad);
    if (a.level() != v1::LEVEL_PRIMARY && a.level() != v1::LEVEL_JUNIOR &&
        a.level() != v1::LEVEL_ALL) {
      bad.push_back({field + ".level",
                     "must be LEVEL_PRIMARY, LEVEL_JUNIOR "
                     "or LEVEL_ALL"});
    }
    action.level = a.level();
    if (std::optional<Quantity> q = ResourceOfColumn(a.resource())) {
      action.resource = *q;
    } else {
      bad.push_back({field + ".resource",
                     absl::StrCat("\"", Excerpt(a.resource(), 40),
                                  "\" is not a resource a plan can add")});
    }
    if (!std::isfinite(a.quantity()) || a.quantity() <= 0) {
      bad.push_back({field + ".quantity", "must be a positive number"});
    }
    action.quantity = a.quantity();
    if (!std::isfinite(a.cost_yuan()) || a.cost_yuan() < 0) {
      bad.push_back({field + ".cost_yuan", "must be 0 or more yuan"});
    }
    action.cost_yuan = a.cost_yuan();
    for (int g = 0; g < a.closes_size(); ++g) {
      const v1::Gap& gap = a.closes(g);
      PlanGap closes{gap.indicator(), gap.level(), gap.coefficient(), ""};
      if (!gap.coefficient()) {
        closes.school_code =
            SchoolCodeOf(gap.school(), county, year,
                         absl::StrCat(field, ".closes[", g, "].school"), bad);
      }
      action.closes.push_back(std::move(closes));
    }
    out.push_back(std::move(action));
  }
  if (!bad.empty()) return InvalidFields("bad actions", bad);
  return out;
}

v1::Obstacle::Kind ToApi(PlanObstacle::Kind kind) {
  switch (kind) {
    case PlanObstacle::Kind::kNotReported:
      return v1::Obstacle::NOT_REPORTED;
    case PlanObstacle::Kind::kConstrained:
      return v1::Obstacle::CONSTRAINED;
    case PlanObstacle::Kind::kUnbounded:
      return v1::Obstacle::UNBOUNDED;
  }
  return v1::Obstacle::KIND_UNSPECIFIED;
}

void ToApi(const PlannedCounty& p, const std::string& county, int year,
           v1::RectificationPlan* out) {
  out->set_name(CountyYearName{county, year, "", ""}.ToString());
  out->set_standard(absl::StrCat("standards/", p.standard->id()));
  out->set_standard_sha256(p.standard->content_sha256());
  out->set_revision(p.revision);
  out->set_feasible(p.plan.feasible);
  for (const PlanAction& a : p.plan.actions) {
    ToApi(a, county, year, p.school_names, out->add_actions());
  }
  out->set_total_cost_yuan(p.plan.total_cost_yuan);
  for (const PlanObstacle& o : p.plan.obstacles) {
    v1::Obstacle* obstacle = out->add_obstacles();
    obstacle->set_kind(ToApi(o.kind));
    ToApi(o.gap, county, year, obstacle->mutable_gap());
    obstacle->set_message(o.message);
  }
  out->set_resource_before(ToProto(p.plan.resource_before));
  out->set_resource_after(ToProto(p.plan.resource_after));
  for (const auto& [resource, cost] : p.plan.cost_by_resource) {
    (*out->mutable_cost_by_resource())[resource] = cost;
  }
  out->set_require_every_indicator(p.require_every_indicator);
  out->set_county_name(p.county_name);
}

v1::RectificationItem::Status ToApi(ItemStatus status) {
  return static_cast<v1::RectificationItem::Status>(static_cast<int>(status));
}

void ToApi(const TrackedItem& t, v1::RectificationItem* out) {
  const StoredItem& s = t.stored;
  const internal::StoredRectificationItem& r = s.record;
  out->set_name(RectificationItemName{s.county, s.year, s.id}.ToString());
  std::map<std::string, std::string> names = {{r.school_code(), t.school_name}};
  if (!r.from_school_code().empty()) {
    names[r.from_school_code()] = t.from_school_name;
  }
  ToApi(ActionOfItem(r), s.county, s.year, names, out->mutable_action());
  out->set_owner(r.owner());
  if (r.deadline_us() != 0) SetMicros(r.deadline_us(), out->mutable_deadline());
  out->set_status(ToApi(t.status));
  for (const std::string& e : r.evidence()) out->add_evidence(e);
  out->set_overdue(t.overdue);
  out->set_verification(t.verification);
  SetTime(t.verify_time, out->mutable_verify_time());
  out->set_revision(s.revision);
  SetMicros(r.create_time_us(), out->mutable_create_time());
  SetMicros(r.update_time_us(), out->mutable_update_time());
}

std::optional<ItemStatus> StatusOf(absl::string_view name) {
  for (ItemStatus s : {ItemStatus::kOpen, ItemStatus::kInProgress,
                       ItemStatus::kDone, ItemStatus::kVerified}) {
    if (absl::EqualsIgnoreCase(name, ItemStatusName(s))) return s;
  }
  return std::nullopt;
}

// "overdue", "status=OPEN", "school=2133010614", joined by " AND ".
absl::StatusOr<ItemFilter> ParseFilter(const std::string& text) {
  ItemFilter filter;
  if (text.empty()) return filter;
  constexpr char kHelp[] =
      "; the filter takes overdue, status=OPEN|IN_PROGRESS|DONE|VERIFIED and "
      "school={10-digit code}, joined by \" AND \"";
  for (absl::string_view term : absl::StrSplit(text, " AND ")) {
    term = absl::StripAsciiWhitespace(term);
    if (term == "overdue" || term == "overdue=true") {
      filter.overdue = true;
    } else if (absl::ConsumePrefix(&term, "status=")) {
      filter.status = StatusOf(term);
      if (!filter.status) {
        return InvalidField(
            "filter",
            absl::StrCat("unknown status \"", Excerpt(term, 20), "\"", kHelp));
      }
    } else if (absl::ConsumePrefix(&term, "school=")) {
      if (!IsValidSchoolCode(term)) {
        return InvalidField("filter",
                            absl::StrCat("\"", Excerpt(term, 20),
                                         "\" is not a school code", kHelp));
      }
      filter.school = std::string(term);
    } else {
      return InvalidField(
          "filter",
          absl::StrCat("cannot read \"", Excerpt(term, 40), "\"", kHelp));
    }
  }
  return filter;
}

// Page tokens carry the request they continue, so that one is never used
// for another (AIP-158).
std::string PageToken(const std::string& parent, const std::string& filter,
                      int64_t after) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("1\n", parent, "\n", filter, "\n", after));
}

absl::StatusOr<int64_t> AfterOf(const std::string& token,
                                const std::string& parent,
                                const std::string& filter) {
  if (token.empty()) return 0;
  std::string text;
  std::vector<std::string> parts;
  int64_t after = 0;
  if (absl::WebSafeBase64Unescape(token, &text)) {
    parts = absl::StrSplit(text, '\n');
  }
  if (parts.size() != 4 || parts[0] != "1" ||
      !absl::SimpleAtoi(parts[3], &after) || after < 0) {
    return InvalidField("page_token", "is not a token this service issued");
  }
  if (parts[1] != parent || parts[2] != filter) {
    return InvalidField("page_token",
                        "was issued for another parent or filter; resend the "
                        "first request's parent and filter with it");
  }
  return after;
}

}  // namespace

RectificationGrpcService::RectificationGrpcService(Rectification& rectification,
                                                   Authenticator& auth)
    : rectification_(rectification), auth_(auth) {}

grpc::Status RectificationGrpcService::PlanRectification(
    grpc::ServerContext* context, const v1::PlanRectificationRequest* request,
    v1::RectificationPlan* response) {
  auto who = Admit(auth_, *context, Permission::kEvaluate);
  if (!who.ok()) return ToGrpc(who.status());
  auto name = ParseCountyYear(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  PlanQuery query;
  query.county = name->county;
  query.year = name->year;
  query.standard = request->standard();
  query.as_of = request->as_of_revision();
  query.require_every_indicator = request->require_every_indicator();
  query.costs.csv = request->costs_csv();
  query.costs.no_rotation = request->no_rotation();
  for (const v1::UnitCost& c : request->costs().unit_costs()) {
    query.costs.unit_costs.push_back({c.resource(), c.unit_cost_yuan()});
  }
  if (request->costs().has_rotation_cost_yuan()) {
    query.costs.rotation_cost_yuan = request->costs().rotation_cost_yuan();
  }
  for (const v1::SchoolLimit& l : request->costs().limits()) {
    query.costs.limits.push_back({l.school(), l.resource(), l.max_units()});
  }
  auto planned = rectification_.Plan(*who, query);
  if (!planned.ok()) return ToGrpc(planned.status());
  ToApi(*planned, name->county, name->year, response);
  return grpc::Status::OK;
}

grpc::Status RectificationGrpcService::SimulateRectification(
    grpc::ServerContext* context,
    const v1::SimulateRectificationRequest* request,
    v1::SimulateRectificationResponse* response) {
  auto who = Admit(auth_, *context, Permission::kEvaluate);
  if (!who.ok()) return ToGrpc(who.status());
  auto name = ParseCountyYear(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  auto actions = ActionsOf(request->actions(), name->county, name->year, "");
  if (!actions.ok()) return ToGrpc(actions.status());
  auto simulation = rectification_.Simulate(
      *who,
      {name->county, name->year, request->standard(), request->as_of_revision(),
       *std::move(actions), DeadlineOf(*context)});
  if (!simulation.ok()) return ToGrpc(simulation.status());
  ToApi(simulation->before, request->view(), response->mutable_before());
  ToApi(simulation->after, request->view(), response->mutable_after());
  auto add_drivers =
      [&](const std::vector<CoefficientDrivers>& all,
          google::protobuf::RepeatedPtrField<v1::CoefficientDrivers>* out) {
        for (const CoefficientDrivers& d : all) {
          v1::CoefficientDrivers* o = out->Add();
          o->set_indicator(d.indicator);
          o->set_level(d.level);
          o->set_coefficient(d.coefficient);
          if (d.limit) o->set_limit(*d.limit);
          for (const CoefficientDriver& driver : d.drivers) {
            v1::CoefficientDriver* x = o->add_drivers();
            x->set_school(
                SchoolName(name->county, name->year, driver.school_code));
            auto it = simulation->school_names.find(driver.school_code);
            if (it != simulation->school_names.end()) {
              x->set_school_name(it->second);
            }
            x->set_students(driver.students);
            x->set_value(driver.value);
            x->set_share_of_cv_squared(driver.share_of_cv_squared);
            x->set_below_mean(driver.below_mean);
          }
        }
      };
  add_drivers(simulation->drivers, response->mutable_drivers());
  add_drivers(simulation->drivers_after, response->mutable_drivers_after());
  return grpc::Status::OK;
}

grpc::Status RectificationGrpcService::AdoptRectificationPlan(
    grpc::ServerContext* context,
    const v1::AdoptRectificationPlanRequest* request,
    v1::AdoptRectificationPlanResponse* response) {
  auto who = Admit(auth_, *context, Permission::kAdoptRectification);
  if (!who.ok()) return ToGrpc(who.status());
  auto parent = ParseCountyYear(request->parent(), "parent");
  if (!parent.ok()) return ToGrpc(parent.status());
  if (!request->has_plan()) {
    return ToGrpc(InvalidField(
        "plan", "is required: the plan PlanRectification returned"));
  }
  const v1::RectificationPlan& plan = request->plan();
  auto plan_name = ParseCountyYear(plan.name(), "plan.name");
  if (!plan_name.ok()) return ToGrpc(plan_name.status());
  // Actions are read as names of the plan's own county, so that a plan of
  // another county is refused for what it is, not for its school names.
  auto actions =
      ActionsOf(plan.actions(), plan_name->county, plan_name->year, "plan.");
  if (!actions.ok()) return ToGrpc(actions.status());
  AdoptionQuery query;
  query.county = parent->county;
  query.year = parent->year;
  query.plan_county = plan_name->county;
  query.plan_year = plan_name->year;
  query.standard = plan.standard();
  query.plan_revision = plan.revision();
  query.require_every_indicator = plan.require_every_indicator();
  query.actions = *std::move(actions);
  query.owner = request->owner();
  if (request->has_deadline()) {
    auto deadline = TimeOf(request->deadline(), "deadline");
    if (!deadline.ok()) return ToGrpc(deadline.status());
    query.deadline = *deadline;
  }
  query.request_id = request->request_id();
  query.request_deadline = DeadlineOf(*context);
  auto items = rectification_.Adopt(*who, query);
  if (!items.ok()) return ToGrpc(items.status());
  for (const TrackedItem& item : *items) ToApi(item, response->add_items());
  return grpc::Status::OK;
}

grpc::Status RectificationGrpcService::GetRectificationItem(
    grpc::ServerContext* context,
    const v1::GetRectificationItemRequest* request,
    v1::RectificationItem* response) {
  auto who = Admit(auth_, *context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  auto name = ParseRectificationItemName(request->name(), "name");
  if (!name.ok()) return ToGrpc(name.status());
  auto item = rectification_.GetItem(*who, name->county, name->year, name->item,
                                     DeadlineOf(*context));
  if (!item.ok()) return ToGrpc(item.status());
  ToApi(*item, response);
  return grpc::Status::OK;
}

grpc::Status RectificationGrpcService::ListRectificationItems(
    grpc::ServerContext* context,
    const v1::ListRectificationItemsRequest* request,
    v1::ListRectificationItemsResponse* response) {
  auto who = Admit(auth_, *context, Permission::kReadStatistics);
  if (!who.ok()) return ToGrpc(who.status());
  auto parent = ParseCountyYear(request->parent(), "parent");
  if (!parent.ok()) return ToGrpc(parent.status());
  if (request->page_size() < 0) {
    return ToGrpc(InvalidField("page_size", "must not be negative"));
  }
  const int page_size = request->page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request->page_size(), kMaxPageSize);
  auto filter = ParseFilter(request->filter());
  if (!filter.ok()) return ToGrpc(filter.status());
  auto after =
      AfterOf(request->page_token(), request->parent(), request->filter());
  if (!after.ok()) return ToGrpc(after.status());
  auto page =
      rectification_.ListItems(*who, parent->county, parent->year, *after,
                               page_size, *filter, DeadlineOf(*context));
  if (!page.ok()) return ToGrpc(page.status());
  for (const TrackedItem& item : page->items)
    ToApi(item, response->add_items());
  if (page->next_after != 0) {
    response->set_next_page_token(
        PageToken(request->parent(), request->filter(), page->next_after));
  }
  return grpc::Status::OK;
}

grpc::Status RectificationGrpcService::UpdateRectificationItem(
    grpc::ServerContext* context,
    const v1::UpdateRectificationItemRequest* request,
    v1::RectificationItem* response) {
  auto who = Admit(auth_, *context, Permission::kUpdateRectification);
  if (!who.ok()) return ToGrpc(who.status());
  const v1::RectificationItem& item = request->item();
  auto name = ParseRectificationItemName(item.name(), "item.name");
  if (!name.ok()) return ToGrpc(name.status());
  std::vector<std::string> paths(request->update_mask().paths().begin(),
                                 request->update_mask().paths().end());
  // AIP-134: without a mask, every field the request populates.
  if (!request->has_update_mask()) {
    if (!item.owner().empty()) paths.push_back("owner");
    if (item.has_deadline()) paths.push_back("deadline");
    if (item.status() != v1::RectificationItem::STATUS_UNSPECIFIED) {
      paths.push_back("status");
    }
    if (item.evidence_size() > 0) paths.push_back("evidence");
  }
  if (paths.empty()) {
    return ToGrpc(
        InvalidField("update_mask",
                     "names nothing to change; give one or more of owner, "
                     "deadline, status, evidence"));
  }
  ItemChange change;
  change.county = name->county;
  change.year = name->year;
  change.id = name->item;
  change.read_revision = item.revision();
  change.request_deadline = DeadlineOf(*context);
  std::vector<FieldViolation> bad;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    if (path == "owner") {
      change.owner = item.owner();
    } else if (path == "deadline") {
      if (item.has_deadline()) {
        auto deadline = TimeOf(item.deadline(), "item.deadline");
        if (!deadline.ok()) return ToGrpc(deadline.status());
        change.deadline = std::optional<absl::Time>(*deadline);
      } else {
        change.deadline = std::optional<absl::Time>();
      }
    } else if (path == "status") {
      const int s = item.status();
      if (s < 1 || s > 4) {
        bad.push_back({"item.status", "must be OPEN, IN_PROGRESS or DONE"});
      } else {
        change.status = static_cast<ItemStatus>(s);
      }
    } else if (path == "evidence") {
      change.evidence.emplace(item.evidence().begin(), item.evidence().end());
    } else {
      bad.push_back({absl::StrCat("update_mask.paths[", i, "]"),
                     absl::StrCat("\"", Excerpt(path, 40),
                                  "\" cannot be changed; the fields are "
                                  "owner, deadline, status, evidence")});
    }
  }
  if (!bad.empty()) return ToGrpc(InvalidFields("bad item update", bad));
  auto updated = rectification_.UpdateItem(*who, change);
  if (!updated.ok()) return ToGrpc(updated.status());
  ToApi(*updated, response);
  return grpc::Status::OK;
}

}  // namespace junheng::checklist
