// Rectification (整改) in the application layer: plans computed from a
// county's stored statistics (planner/planner.h), what-if evaluations of a
// plan, and plans adopted as tracked items, each verified by the checklist
// itself. Like Checklist (checklist.h), it sees neither gRPC nor RocksDB.
//
// Who may do what (common/access.h):
//   plan, what-if    kEvaluate on the county (county, inspectors, province:
//                    a plan is computed, nothing is stored)
//   adopt            kAdoptRectification on the county (the county bureau)
//   read items       kReadStatistics: the county-wide readers see every item,
//                    a school the items it receives or donates teachers for
//   update items     kUpdateRectification: the county every field, a school
//                    the status and evidence of its own items (the owner and
//                    deadline are the bureau's to set)
//
// An item is VERIFIED when the statistics as they stand now show every gap
// it closes closed, and every piece of evidence linked to it is live in the
// archive; overdue when its deadline has passed and it is not verified. Both
// are computed on every read, with the injected clock, and never stored.
// The archive is asked as the reader (the checklist holds no rights of its
// own there), so evidence a reader may not see does not verify the item for
// that reader: the verification says so rather than guessing.
//
// Thread-safe: every method may be called concurrently.
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_RECTIFICATION_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_RECTIFICATION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "checklist_service/app/checklist.h"
#include "checklist_service/planner/planner.h"
#include "checklist_service/store/checklist_store.h"
#include "common/access.h"

namespace junheng::checklist {

// A request's changes to the server's cost model, applied in this order.
struct CostOverrides {
  // A county's cost file (ParseCostModel's format); errors are reported on
  // the field "costs_csv".
  std::string csv;
  struct Price {
    std::string resource;  // a resource column, e.g. "backbone_teachers"
    double unit_cost_yuan = 0;
  };
  std::vector<Price> unit_costs;
  std::optional<double> rotation_cost_yuan;
  struct Limit {
    // A school code, or counties/{c}/years/{y}/schools/{s}.
    std::string school;
    std::string resource;
    double max_units = 0;
  };
  std::vector<Limit> limits;
  // Plan without rotation: hire instead.
  bool no_rotation = false;
};

struct PlanQuery {
  std::string county;
  int year = 0;
  // standards/{id}; empty: the server's default.
  std::string standard;
  int64_t as_of = 0;
  CostOverrides costs;
  bool require_every_indicator = false;
};

struct PlannedCounty {
  Plan plan;
  const junheng::v1::IndicatorStandard* standard = nullptr;
  // The revision of the statistics planned from.
  int64_t revision = 0;
  bool require_every_indicator = false;
  std::string county_name;
  // The county's schools' names, by code, for the actions.
  std::map<std::string, std::string> school_names;
};

struct SimulationQuery {
  std::string county;
  int year = 0;
  std::string standard;
  int64_t as_of = 0;
  std::vector<PlanAction> actions;
  std::optional<absl::Time> deadline;
};

struct Simulation {
  CountyEvaluation before;
  CountyEvaluation after;
  // Every coefficient's drivers, before and after the actions.
  std::vector<CoefficientDrivers> drivers;
  std::vector<CoefficientDrivers> drivers_after;
  std::map<std::string, std::string> school_names;
};

// A plan as a client hands it back for adoption (possibly with actions
// left out).
struct AdoptionQuery {
  std::string county;
  int year = 0;
  // What the plan says it was computed for.
  std::string plan_county;
  int plan_year = 0;
  std::string standard;
  int64_t plan_revision = 0;
  bool require_every_indicator = false;
  std::vector<PlanAction> actions;
  std::string owner;
  std::optional<absl::Time> deadline;
  std::string request_id;
  std::optional<absl::Time> request_deadline;
};

enum class ItemStatus { kOpen = 1, kInProgress = 2, kDone = 3, kVerified = 4 };

// Its name in the API (OPEN, …) and in Chinese (待整改, …).
const char* ItemStatusName(ItemStatus status);
const char* ItemStatusNameZh(ItemStatus status);

// The action a stored item carries out, as planned.
PlanAction ActionOfItem(const internal::StoredRectificationItem& record);

// A stored item with what the checklist computes about it now.
struct TrackedItem {
  StoredItem stored;
  // The stored status, or kVerified.
  ItemStatus status = ItemStatus::kOpen;
  bool overdue = false;
  // Why it is or is not verified: each gap's state and the evidence's, in
  // Chinese.
  std::string verification;
  absl::Time verify_time;
  std::string school_name;
  std::string from_school_name;
};

struct ItemFilter {
  bool overdue = false;
  std::optional<ItemStatus> status;
  // A school code: items it receives or donates for.
  std::string school;
};

struct ItemPage {
  std::vector<TrackedItem> items;
  // The last returned item's id when more items match; 0 at the end.
  int64_t next_after = 0;
};

// A change to one item: the fields set are changed.
struct ItemChange {
  std::string county;
  int year = 0;
  int64_t id = 0;
  // The revision the caller read: ABORTED when the item has changed since.
  // 0: whatever it is now.
  int64_t read_revision = 0;
  std::optional<std::string> owner;
  // Set to nullopt inside: no deadline.
  std::optional<std::optional<absl::Time>> deadline;
  std::optional<ItemStatus> status;
  std::optional<std::vector<std::string>> evidence;
  std::optional<absl::Time> request_deadline;
};

class Rectification {
 public:
  using Clock = std::function<absl::Time()>;

  // `default_costs`: the server's cost model (standards/
  // rectification-costs.csv); `clock`: what "now" is for deadlines.
  Rectification(Checklist& checklist, ChecklistStore& store,
                CostModel default_costs, Clock clock = &absl::Now);

  // INVALID_ARGUMENT with field violations ("costs_csv",
  // "costs.unit_costs[i].resource", "costs.limits[i].school", …) for a
  // bad cost model; the planner's errors otherwise.
  absl::StatusOr<PlannedCounty> Plan(const Principal& who,
                                     const PlanQuery& query);

  // INVALID_ARGUMENT naming "actions[i]" for an action ApplyPlan refuses.
  absl::StatusOr<Simulation> Simulate(const Principal& who,
                                      const SimulationQuery& query);

  // FAILED_PRECONDITION for a plan of another county or year, or computed
  // from statistics newer than the store holds; INVALID_ARGUMENT for no
  // actions, an action the statistics refuse ("plan.actions[i]"), an owner
  // over 200 bytes, a deadline in the past, a request_id over 128 bytes.
  absl::StatusOr<std::vector<TrackedItem>> Adopt(const Principal& who,
                                                 const AdoptionQuery& query);

  absl::StatusOr<TrackedItem> GetItem(const Principal& who,
                                      const std::string& county, int year,
                                      int64_t id,
                                      std::optional<absl::Time> deadline);

  // The items after id `after` matching `filter`, at most `page_size`.
  absl::StatusOr<ItemPage> ListItems(const Principal& who,
                                     const std::string& county, int year,
                                     int64_t after, int page_size,
                                     const ItemFilter& filter,
                                     std::optional<absl::Time> deadline);

  // INVALID_ARGUMENT ("item.status", "item.owner", "item.evidence[i]") for
  // VERIFIED or an unknown status, an owner over 200 bytes, evidence that is
  // not an archive name of the item's county; PERMISSION_DENIED for a school
  // changing the owner or deadline; ABORTED for a stale read_revision.
  absl::StatusOr<TrackedItem> UpdateItem(const Principal& who,
                                         const ItemChange& change);

 private:
  // OK when `who` may `permission` every item of the county; a school of
  // the county gets its school code in `*only_school` instead.
  absl::Status AuthorizeItems(const Principal& who, Permission permission,
                              const std::string& county,
                              std::string* only_school) const;
  // Computes status, overdue and verification of `items`, all against the
  // county's statistics as they stand now.
  std::vector<TrackedItem> Track(const Principal& who,
                                 const std::string& county, int year,
                                 std::vector<StoredItem> items,
                                 std::optional<absl::Time> deadline);
  absl::StatusOr<CostModel> CostsFor(const CostOverrides& overrides,
                                     const std::string& county, int year) const;

  Checklist& checklist_;
  ChecklistStore& store_;
  const CostModel default_costs_;
  const Clock clock_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_RECTIFICATION_H_
