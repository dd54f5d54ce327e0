// Rectification end to end through the real binaries: junheng-checklist
// with junheng-archive behind it, with tokens, on the example county
// (examples/county-330106). Plans and their cost files, what-if, adoption
// as items, updates as audited revisions, verification computed from a new
// import and the archive, and who may do what.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/archive_client.h"
#include "clients/connection.h"
#include "common/grpc_status.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/audit.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "junheng/v1/rectification.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ReadFile;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kCounty[] = "counties/330106/years/2025";
constexpr char kExample[] = JUNHENG_SOURCE_DIR "/examples/county-330106/";
// The school that gets two multimedia classrooms in the default plan.
constexpr char kSchool26[] = "2133010626";
constexpr char kSchool14[] = "2133010614";

bool HasViolation(const absl::Status& s, const std::string& field) {
  for (const FieldViolation& v : FieldViolations(s)) {
    if (v.field == field) return true;
  }
  return false;
}

std::string Violations(const absl::Status& s) {
  std::vector<std::string> out;
  for (const FieldViolation& v : FieldViolations(s)) {
    out.push_back(v.field + ": " + v.description);
  }
  return absl::StrCat(s.ToString(), " [", absl::StrJoin(out, "; "), "]");
}

class RectificationServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string principals = dir_->File("principals.textproto");
    auto create = [&](const std::string& role, const std::string& scope,
                      const std::string& name) {
      return testing::CreateToken(principals, role, scope, name);
    };
    tokens_ = new std::map<std::string, std::string>{
        {"county", create("county", "counties/330106", "钱塘示范县教育局")},
        {"school26",
         create("school", "counties/330106/schools/2133010626", "s26")},
        {"school14",
         create("school", "counties/330106/schools/2133010614", "s14")},
        {"inspector", create("inspector", "counties/330106", "督导组")},
        {"province", create("province", "provinces/33", "省教育厅")},
        {"foreign", create("county", "counties/440106", "other")},
    };
    WriteFile(dir_->File("service.token"),
              create("service", "", "checklist") + "\n");
    archive_ = new ServerProcess(
        "junheng-archive",
        {"--data_dir=" + dir_->File("archive"), "--principals=" + principals});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
    checklist_ = new ServerProcess(
        "junheng-checklist",
        {"--data_dir=" + dir_->File("checklist"), "--principals=" + principals,
         "--standards_dir=" JUNHENG_SOURCE_DIR "/standards",
         "--archive_addr=" + archive_->address(),
         "--archive_token_file=" + dir_->File("service.token")});
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
  }

  static void TearDownTestSuite() {
    delete checklist_;
    delete archive_;
    delete tokens_;
    delete dir_;
  }

  void SetUp() override {
    checklist_stub_ =
        v1::ChecklistService::NewStub(Connect(checklist_->address()));
    stub_ = v1::RectificationService::NewStub(Connect(checklist_->address()));
    // The same data for every test: importing again adds a revision with
    // the same rows.
    ASSERT_OK(Import(true, ReadFile(std::string(kExample) + "schools.csv")));
    ASSERT_OK(Import(false, ReadFile(std::string(kExample) + "counties.csv")));
  }

  static void Prepare(grpc::ClientContext& c, const std::string& who) {
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    c.AddMetadata("authorization", "Bearer " + tokens_->at(who));
  }

  absl::Status Import(bool schools, const std::string& csv) {
    grpc::ClientContext c;
    Prepare(c, "county");
    v1::ImportResponse response;
    auto writer = schools ? checklist_stub_->ImportSchools(&c, &response)
                          : checklist_stub_->ImportCounties(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(csv);
    writer->Write(m);
    writer->WritesDone();
    return FromGrpc(writer->Finish());
  }

  absl::StatusOr<v1::RectificationPlan> Plan(
      v1::PlanRectificationRequest r, const std::string& who = "county") {
    if (r.name().empty()) r.set_name(kCounty);
    grpc::ClientContext c;
    Prepare(c, who);
    v1::RectificationPlan plan;
    absl::Status s = FromGrpc(stub_->PlanRectification(&c, r, &plan));
    if (!s.ok()) return s;
    return plan;
  }

  absl::StatusOr<v1::SimulateRectificationResponse> Simulate(
      const v1::SimulateRectificationRequest& r,
      const std::string& who = "county") {
    grpc::ClientContext c;
    Prepare(c, who);
    v1::SimulateRectificationResponse out;
    absl::Status s = FromGrpc(stub_->SimulateRectification(&c, r, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<std::vector<v1::RectificationItem>> Adopt(
      const v1::AdoptRectificationPlanRequest& r,
      const std::string& who = "county") {
    grpc::ClientContext c;
    Prepare(c, who);
    v1::AdoptRectificationPlanResponse out;
    absl::Status s = FromGrpc(stub_->AdoptRectificationPlan(&c, r, &out));
    if (!s.ok()) return s;
    return std::vector<v1::RectificationItem>(out.items().begin(),
                                              out.items().end());
  }

  absl::StatusOr<v1::ListRectificationItemsResponse> List(
      const std::string& who, const std::string& filter = "", int page_size = 0,
      const std::string& token = "") {
    grpc::ClientContext c;
    Prepare(c, who);
    v1::ListRectificationItemsRequest r;
    r.set_parent(kCounty);
    r.set_filter(filter);
    r.set_page_size(page_size);
    r.set_page_token(token);
    v1::ListRectificationItemsResponse out;
    absl::Status s = FromGrpc(stub_->ListRectificationItems(&c, r, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<v1::RectificationItem> Get(const std::string& name,
                                            const std::string& who = "county") {
    grpc::ClientContext c;
    Prepare(c, who);
    v1::GetRectificationItemRequest r;
    r.set_name(name);
    v1::RectificationItem out;
    absl::Status s = FromGrpc(stub_->GetRectificationItem(&c, r, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<v1::RectificationItem> Update(
      const v1::RectificationItem& item, const std::vector<std::string>& paths,
      const std::string& who = "county") {
    grpc::ClientContext c;
    Prepare(c, who);
    v1::UpdateRectificationItemRequest r;
    *r.mutable_item() = item;
    for (const auto& p : paths) r.mutable_update_mask()->add_paths(p);
    v1::RectificationItem out;
    absl::Status s = FromGrpc(stub_->UpdateRectificationItem(&c, r, &out));
    if (!s.ok()) return s;
    return out;
  }

  // The default plan, adopted under a fresh request id.
  std::vector<v1::RectificationItem> AdoptDefaultPlan(
      v1::RectificationPlan* plan_out = nullptr) {
    auto plan = Plan({});
    EXPECT_OK(plan);
    if (!plan.ok()) return {};
    v1::AdoptRectificationPlanRequest r;
    r.set_parent(kCounty);
    *r.mutable_plan() = *plan;
    r.set_owner("县教育局装备科");
    r.mutable_deadline()->set_seconds(absl::ToUnixSeconds(absl::Now()) +
                                      90 * 86400);
    r.set_request_id(absl::StrCat("adopt-", ++adoptions_));
    auto items = Adopt(r);
    EXPECT_OK(items);
    if (plan_out != nullptr) *plan_out = *plan;
    return items.ok() ? *items : std::vector<v1::RectificationItem>();
  }

  static const v1::RectificationItem* ItemAt(
      const std::vector<v1::RectificationItem>& items,
      const std::string& school, const std::string& resource) {
    for (const auto& i : items) {
      if (absl::EndsWith(i.action().school(), school) &&
          i.action().resource() == resource) {
        return &i;
      }
    }
    return nullptr;
  }

  static TempDir* dir_;
  static std::map<std::string, std::string>* tokens_;
  static ServerProcess* archive_;
  static ServerProcess* checklist_;
  static int adoptions_;
  std::unique_ptr<v1::ChecklistService::Stub> checklist_stub_;
  std::unique_ptr<v1::RectificationService::Stub> stub_;
};

TempDir* RectificationServerTest::dir_ = nullptr;
std::map<std::string, std::string>* RectificationServerTest::tokens_ = nullptr;
ServerProcess* RectificationServerTest::archive_ = nullptr;
ServerProcess* RectificationServerTest::checklist_ = nullptr;
int RectificationServerTest::adoptions_ = 0;

TEST_F(RectificationServerTest, PlanClosesTheShortfallsWorkedOutByHand) {
  auto plan = Plan({});
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->feasible());
  EXPECT_EQ(plan->name(), kCounty);
  EXPECT_EQ(plan->county_name(), "钱塘示范县");
  EXPECT_EQ(plan->standard(), "standards/moe-2017-quality");
  EXPECT_FALSE(plan->standard_sha256().empty());
  EXPECT_GT(plan->revision(), 0);
  EXPECT_EQ(plan->resource_before(), v1::FAIL);
  EXPECT_EQ(plan->resource_after(), v1::PASS);
  EXPECT_DOUBLE_EQ(plan->total_cost_yuan(), 1389200);
  // The README's plan: one backbone teacher rotated from 01 to 14.
  bool rotation = false;
  for (const auto& a : plan->actions()) {
    if (a.kind() == v1::RectificationAction::ROTATE) {
      rotation = true;
      EXPECT_EQ(a.resource(), "backbone_teachers");
      EXPECT_EQ(a.from_school(),
                "counties/330106/years/2025/schools/2133010601");
      EXPECT_EQ(a.school(), "counties/330106/years/2025/schools/2133010614");
      EXPECT_FALSE(a.school_name().empty());
      EXPECT_FALSE(a.from_school_name().empty());
      EXPECT_EQ(a.unit(), "teachers");
    }
    EXPECT_FALSE(a.closes().empty()) << a.ShortDebugString();
  }
  EXPECT_TRUE(rotation);

  v1::PlanRectificationRequest every;
  every.set_require_every_indicator(true);
  auto all = Plan(every);
  ASSERT_OK(all);
  EXPECT_TRUE(all->feasible());
  EXPECT_TRUE(all->require_every_indicator());
  EXPECT_DOUBLE_EQ(all->total_cost_yuan(), 2759028);
  double sum = 0;
  for (const auto& [resource, cost] : all->cost_by_resource()) sum += cost;
  EXPECT_DOUBLE_EQ(sum, all->total_cost_yuan());

  // Without rotation the backbone teacher is hired instead, at a price.
  v1::PlanRectificationRequest hire;
  hire.set_no_rotation(true);
  auto hired = Plan(hire);
  ASSERT_OK(hired);
  EXPECT_TRUE(hired->feasible());
  for (const auto& a : hired->actions()) {
    EXPECT_EQ(a.kind(), v1::RectificationAction::ADD);
  }
  EXPECT_GT(hired->total_cost_yuan(), plan->total_cost_yuan());
}

TEST_F(RectificationServerTest, ACountysCostFileAndOverridesReshapeThePlan) {
  // No land to build on at 01: its sports area goes elsewhere.
  v1::PlanRectificationRequest r;
  r.set_costs_csv(
      "school_code,resource,unit_cost_yuan,max_units\n"
      "2133010601,sports_area_m2,,0\n");
  auto plan = Plan(r);
  ASSERT_OK(plan);
  for (const auto& a : plan->actions()) {
    EXPECT_FALSE(absl::EndsWith(a.school(), "2133010601") &&
                 a.resource() == "sports_area_m2")
        << a.ShortDebugString();
  }
  auto base = Plan({});
  ASSERT_OK(base);
  EXPECT_GE(plan->total_cost_yuan(), base->total_cost_yuan());

  // Overrides in the request: a dearer classroom costs more in total.
  v1::PlanRectificationRequest dear;
  auto* price = dear.mutable_costs()->add_unit_costs();
  price->set_resource("multimedia_classrooms");
  price->set_unit_cost_yuan(1000000);
  auto dearer = Plan(dear);
  ASSERT_OK(dearer);
  EXPECT_GT(dearer->total_cost_yuan(), base->total_cost_yuan());

  // A limit in the request, by school name.
  v1::PlanRectificationRequest limited;
  auto* limit = limited.mutable_costs()->add_limits();
  limit->set_school("counties/330106/years/2025/schools/2133010601");
  limit->set_resource("sports_area_m2");
  limit->set_max_units(0);
  auto by_name = Plan(limited);
  ASSERT_OK(by_name);
  EXPECT_DOUBLE_EQ(by_name->total_cost_yuan(), plan->total_cost_yuan());
}

TEST_F(RectificationServerTest, BadPlanRequestsSayWhatToFix) {
  v1::PlanRectificationRequest r;
  r.set_costs_csv(
      "school_code,resource,unit_cost_yuan,max_units\n"
      ",gold_bars,5,\n");
  auto s = Plan(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(s, "costs_csv")) << Violations(s);
  EXPECT_THAT(Violations(s), HasSubstr("line 2"));

  v1::PlanRectificationRequest bad;
  bad.mutable_costs()->add_unit_costs()->set_resource("gold_bars");
  auto* negative = bad.mutable_costs()->add_unit_costs();
  negative->set_resource("backbone_teachers");
  negative->set_unit_cost_yuan(-1);
  bad.mutable_costs()->set_rotation_cost_yuan(std::nan(""));
  auto* limit = bad.mutable_costs()->add_limits();
  limit->set_school("21330106");
  limit->set_resource("sports_area_m2");
  auto* other = bad.mutable_costs()->add_limits();
  other->set_school("counties/440106/years/2025/schools/4401060001");
  other->set_resource("sports_area_m2");
  s = Plan(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field :
       {"costs.unit_costs[0].resource", "costs.unit_costs[1].unit_cost_yuan",
        "costs.rotation_cost_yuan", "costs.limits[0].school",
        "costs.limits[1].school"}) {
    EXPECT_TRUE(HasViolation(s, field)) << field << " in " << Violations(s);
  }

  v1::PlanRectificationRequest name;
  name.set_name("counties/330106");
  EXPECT_TRUE(HasViolation(Plan(name).status(), "name"));
  v1::PlanRectificationRequest empty_year;
  empty_year.set_name("counties/330106/years/2024");
  EXPECT_EQ(Plan(empty_year).status().code(), absl::StatusCode::kNotFound);
  v1::PlanRectificationRequest standard;
  standard.set_standard("standards/moe-2099");
  EXPECT_EQ(Plan(standard).status().code(), absl::StatusCode::kNotFound);
  // The 2012 standard has no school rule to plan for.
  v1::PlanRectificationRequest old;
  old.set_standard("standards/moe-2012-basic");
  EXPECT_EQ(Plan(old).status().code(), absl::StatusCode::kFailedPrecondition);
  // The service still serves.
  EXPECT_OK(Plan({}));
}

TEST_F(RectificationServerTest, WhatIfShowsBeforeAndAfterAndStoresNothing) {
  auto plan = Plan({});
  ASSERT_OK(plan);
  const int64_t revision = plan->revision();
  v1::SimulateRectificationRequest r;
  r.set_name(kCounty);
  *r.mutable_actions() = plan->actions();
  r.set_view(v1::EVALUATION_VIEW_SUMMARY);
  auto sim = Simulate(r);
  ASSERT_OK(sim);
  auto resource = [](const v1::CountyEvaluation& e) {
    for (const auto& a : e.areas()) {
      if (a.code() == "resource") return a.outcome();
    }
    return e.areas(0).outcome();
  };
  EXPECT_EQ(resource(sim->before()), v1::FAIL);
  EXPECT_EQ(resource(sim->after()), v1::PASS);
  EXPECT_EQ(sim->before().revision(), revision);
  EXPECT_THAT(sim->after().warnings(), Contains(HasSubstr("what-if")));
  ASSERT_FALSE(sim->drivers().empty());
  for (const auto& d : sim->drivers()) {
    double sum = 0;
    for (const auto& driver : d.drivers()) sum += driver.share_of_cv_squared();
    EXPECT_NEAR(sum, d.coefficient() * d.coefficient(), 1e-9) << d.indicator();
  }
  // After the actions every limited coefficient is within its limit.
  ASSERT_EQ(sim->drivers_after_size(), sim->drivers_size());
  for (const auto& d : sim->drivers_after()) {
    if (d.has_limit()) {
      EXPECT_LE(d.coefficient(), d.limit()) << d.indicator();
    }
  }
  // Nothing stored: the next plan is computed from the same revision.
  auto again = Plan({});
  ASSERT_OK(again);
  EXPECT_EQ(again->revision(), revision);

  // Bad actions are named.
  v1::SimulateRectificationRequest bad;
  bad.set_name(kCounty);
  auto* foreign = bad.add_actions();
  foreign->set_kind(v1::RectificationAction::ADD);
  foreign->set_school("counties/440106/years/2025/schools/4401060001");
  foreign->set_level(v1::LEVEL_ALL);
  foreign->set_resource("sports_area_m2");
  foreign->set_quantity(10);
  auto* zero = bad.add_actions();
  zero->set_kind(v1::RectificationAction::ADD);
  zero->set_school("counties/330106/years/2025/schools/2133010626");
  zero->set_level(v1::LEVEL_ALL);
  zero->set_resource("rockets");
  zero->set_quantity(0);
  auto s = Simulate(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field :
       {"actions[0].school", "actions[1].resource", "actions[1].quantity"}) {
    EXPECT_TRUE(HasViolation(s, field)) << field << " in " << Violations(s);
  }
  // Well-formed, but more teachers than the donor has.
  v1::SimulateRectificationRequest greedy;
  greedy.set_name(kCounty);
  auto* rotate = greedy.add_actions();
  rotate->set_kind(v1::RectificationAction::ROTATE);
  rotate->set_school("counties/330106/years/2025/schools/2133010614");
  rotate->set_from_school("counties/330106/years/2025/schools/2133010601");
  rotate->set_level(v1::LEVEL_PRIMARY);
  rotate->set_resource("backbone_teachers");
  rotate->set_quantity(10000);
  s = Simulate(greedy).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(s, "actions[0]")) << Violations(s);
}

TEST_F(RectificationServerTest,
       AdoptedItemsAreVerifiedByStatisticsAndEvidence) {
  v1::RectificationPlan plan;
  std::vector<v1::RectificationItem> items = AdoptDefaultPlan(&plan);
  ASSERT_EQ(items.size(), static_cast<size_t>(plan.actions_size()));
  for (const auto& item : items) {
    EXPECT_EQ(item.status(), v1::RectificationItem::OPEN);
    EXPECT_EQ(item.owner(), "县教育局装备科");
    EXPECT_FALSE(item.overdue());
    EXPECT_THAT(item.verification(), HasSubstr("尚未关联整改证据"));
    EXPECT_THAT(item.name(),
                ::testing::StartsWith(
                    "counties/330106/years/2025/rectificationItems/"));
  }
  // Retrying the adoption creates nothing new.
  v1::AdoptRectificationPlanRequest retry;
  retry.set_parent(kCounty);
  *retry.mutable_plan() = plan;
  retry.set_request_id(absl::StrCat("adopt-", adoptions_));
  auto again = Adopt(retry);
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ((*again)[i].name(), items[i].name());
  }

  const v1::RectificationItem* classrooms =
      ItemAt(items, kSchool26, "multimedia_classrooms");
  ASSERT_NE(classrooms, nullptr);
  // The school uploads a photo of its new classrooms and links it.
  ArchiveClient::Options options;
  options.token = tokens_->at("school26");
  ArchiveClient archive(Connect(archive_->address()), options);
  v1::UploadHeader h;
  h.set_parent(absl::StrCat("counties/330106/schools/", kSchool26));
  h.set_evidence_id(absl::StrCat("classrooms-", adoptions_));
  h.set_title("新建多媒体教室照片");
  h.add_indicator_codes("R7");
  h.set_school_year(2025);
  const std::string bytes = "photo of two classrooms";
  auto version = archive.Upload(h, testing::ReadFrom(bytes));
  ASSERT_OK(version);
  v1::RectificationItem change = *classrooms;
  change.clear_evidence();
  change.add_evidence(version->name());
  change.set_status(v1::RectificationItem::DONE);
  auto done = Update(change, {"evidence", "status"}, "school26");
  ASSERT_OK(done);
  // Evidence present, but the statistics still show the gap.
  EXPECT_EQ(done->status(), v1::RectificationItem::DONE);
  EXPECT_THAT(done->verification(), HasSubstr("仍未达标"));
  EXPECT_THAT(done->verification(), HasSubstr("均在档案中"));
  EXPECT_GT(done->revision(), classrooms->revision());

  // The next import shows the two classrooms: verified, by nobody's hand.
  const std::string schools = ReadFile(std::string(kExample) + "schools.csv");
  ASSERT_OK(Import(
      true, testing::AddToCsvCell(schools, kSchool26, "multimedia_classrooms",
                                  classrooms->action().quantity())));
  auto verified = Get(classrooms->name());
  ASSERT_OK(verified);
  EXPECT_EQ(verified->status(), v1::RectificationItem::VERIFIED)
      << verified->verification();
  EXPECT_THAT(verified->verification(), HasSubstr("已核验"));
  // The others are not.
  auto listed = List("county", "status=VERIFIED");
  ASSERT_OK(listed);
  ASSERT_EQ(listed->items_size(), 1) << listed->DebugString();
  EXPECT_EQ(listed->items(0).name(), classrooms->name());
  // Deleted evidence no longer verifies it.
  ArchiveClient::Options county_options;
  county_options.token = tokens_->at("county");
  ArchiveClient county_archive(Connect(archive_->address()), county_options);
  ASSERT_OK(county_archive.DeleteEvidence(
      absl::StrCat(h.parent(), "/evidence/", h.evidence_id())));
  auto unverified = Get(classrooms->name());
  ASSERT_OK(unverified);
  EXPECT_EQ(unverified->status(), v1::RectificationItem::DONE);
  EXPECT_THAT(unverified->verification(), HasSubstr("已被删除"));
  // VERIFIED cannot be set by hand.
  v1::RectificationItem tick = *unverified;
  tick.set_status(v1::RectificationItem::VERIFIED);
  auto s = Update(tick, {"status"}).status();
  EXPECT_TRUE(HasViolation(s, "item.status")) << Violations(s);
  // A rotation as reported in the next import: one backbone teacher from
  // 01 to 14. Under the school rule the gap is closed once R2 is above the
  // 85% floor, though still short of its threshold.
  const v1::RectificationItem* rotation =
      ItemAt(items, kSchool14, "backbone_teachers");
  ASSERT_NE(rotation, nullptr);
  std::string rotated = schools;
  for (const char* column :
       {"p_backbone_teachers", "p_teachers", "p_certified_teachers"}) {
    rotated = testing::AddToCsvCell(rotated, kSchool14, column, 1);
    rotated = testing::AddToCsvCell(rotated, "2133010601", column, -1);
  }
  ASSERT_OK(Import(true, rotated));
  auto moved = Get(rotation->name());
  ASSERT_OK(moved);
  EXPECT_THAT(moved->verification(), HasSubstr("还差 1 名教师"));
  EXPECT_THAT(moved->verification(), HasSubstr("已满足学校达标规则"));
  EXPECT_NE(moved->status(), v1::RectificationItem::VERIFIED);  // no evidence
  // Put the statistics back for the other tests.
  ASSERT_OK(Import(true, schools));
}

TEST_F(RectificationServerTest, AdoptionRefusesWhatItCannotTrack) {
  auto plan = Plan({});
  ASSERT_OK(plan);
  v1::AdoptRectificationPlanRequest r;
  r.set_parent("counties/330106/years/2024");
  *r.mutable_plan() = *plan;
  EXPECT_EQ(Adopt(r).status().code(), absl::StatusCode::kFailedPrecondition);

  r.set_parent(kCounty);
  r.mutable_deadline()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 86400);
  auto s = Adopt(r).status();
  EXPECT_TRUE(HasViolation(s, "deadline")) << Violations(s);

  r.clear_deadline();
  r.set_owner(std::string(201, 'x'));
  s = Adopt(r).status();
  EXPECT_TRUE(HasViolation(s, "owner")) << Violations(s);

  r.set_owner("");
  v1::RectificationPlan future = *plan;
  future.set_revision(plan->revision() + 1000000);
  *r.mutable_plan() = future;
  EXPECT_EQ(Adopt(r).status().code(), absl::StatusCode::kFailedPrecondition);

  v1::RectificationPlan empty = *plan;
  empty.clear_actions();
  *r.mutable_plan() = empty;
  s = Adopt(r).status();
  EXPECT_TRUE(HasViolation(s, "plan.actions")) << Violations(s);

  v1::RectificationPlan tampered = *plan;
  tampered.mutable_actions(0)->set_school(
      "counties/330106/years/2025/schools/2133019999");
  *r.mutable_plan() = tampered;
  s = Adopt(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolation(s, "plan.actions[0]")) << Violations(s);

  r.clear_plan();
  EXPECT_TRUE(HasViolation(Adopt(r).status(), "plan"));
}

TEST_F(RectificationServerTest, UpdatesAreRevisionsInTheAuditChain) {
  std::vector<v1::RectificationItem> items = AdoptDefaultPlan();
  ASSERT_GE(items.size(), 3u);
  v1::RectificationItem item = items[0];
  item.set_owner("城东小学 王校长");
  item.set_status(v1::RectificationItem::IN_PROGRESS);
  auto updated = Update(item, {"owner", "status"});
  ASSERT_OK(updated);
  EXPECT_EQ(updated->owner(), "城东小学 王校长");
  EXPECT_EQ(updated->status(), v1::RectificationItem::IN_PROGRESS);
  EXPECT_GT(updated->revision(), items[0].revision());
  // A change based on the old read is refused, not lost.
  v1::RectificationItem stale = items[0];
  stale.set_owner("someone else");
  EXPECT_EQ(Update(stale, {"owner"}).status().code(),
            absl::StatusCode::kAborted);
  // A no-op makes no revision.
  auto same = Update(*updated, {"owner"});
  ASSERT_OK(same);
  EXPECT_EQ(same->revision(), updated->revision());
  // Bad masks and fields.
  auto s = Update(*updated, {"action"}).status();
  EXPECT_TRUE(HasViolation(s, "update_mask.paths[0]")) << Violations(s);
  v1::RectificationItem wrong = *updated;
  wrong.add_evidence("counties/440106/evidence/x");
  wrong.add_evidence("not a name");
  s = Update(wrong, {"evidence"}).status();
  EXPECT_TRUE(HasViolation(s, "item.evidence[0]")) << Violations(s);
  EXPECT_TRUE(HasViolation(s, "item.evidence[1]")) << Violations(s);
  v1::RectificationItem none = *updated;
  none.clear_owner();
  none.clear_deadline();
  none.clear_evidence();
  none.set_status(v1::RectificationItem::STATUS_UNSPECIFIED);
  {
    grpc::ClientContext c;
    Prepare(c, "county");
    v1::UpdateRectificationItemRequest r;
    *r.mutable_item() = none;
    v1::RectificationItem out;
    s = FromGrpc(stub_->UpdateRectificationItem(&c, r, &out));
    EXPECT_TRUE(HasViolation(s, "update_mask")) << Violations(s);
  }
  EXPECT_EQ(
      Get(absl::StrCat(kCounty, "/rectificationItems/999999")).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_TRUE(HasViolation(
      Get(absl::StrCat(kCounty, "/rectificationItems/0")).status(), "name"));

  // A deadline moved into the past makes the item overdue.
  v1::RectificationItem late = items[1];
  late.mutable_deadline()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
  auto overdue = Update(late, {"deadline"});
  ASSERT_OK(overdue);
  EXPECT_TRUE(overdue->overdue());
  auto listed = List("county", "overdue");
  ASSERT_OK(listed);
  EXPECT_THAT(listed->items(),
              Contains(::testing::Property(&v1::RectificationItem::name,
                                           items[1].name())));
  for (const auto& i : listed->items()) EXPECT_TRUE(i.overdue());

  // Pages of two, each continuing where the last stopped.
  std::vector<std::string> names;
  std::string token;
  do {
    auto page = List("county", "", 2, token);
    ASSERT_OK(page);
    EXPECT_LE(page->items_size(), 2);
    for (const auto& i : page->items()) names.push_back(i.name());
    token = page->next_page_token();
  } while (!token.empty());
  auto whole = List("county", "", 1000);
  ASSERT_OK(whole);
  ASSERT_EQ(names.size(), static_cast<size_t>(whole->items_size()));
  auto first = List("county", "", 2);
  ASSERT_OK(first);
  ASSERT_FALSE(first->next_page_token().empty());
  EXPECT_TRUE(HasViolation(
      List("county", "overdue", 2, first->next_page_token()).status(),
      "page_token"));
  EXPECT_TRUE(HasViolation(List("county", "colour=red").status(), "filter"));
  EXPECT_TRUE(HasViolation(List("county", "status=SHINY").status(), "filter"));

  // Every change is in the audit chain, by whom and what.
  grpc::ClientContext c;
  Prepare(c, "county");
  v1::GetAuditLogRequest audit;
  audit.set_resource_prefix(items[0].name());
  auto reader = checklist_stub_->GetAuditLog(&c, audit);
  std::vector<v1::AuditEntry> entries;
  v1::AuditEntry e;
  while (reader->Read(&e)) entries.push_back(e);
  ASSERT_OK(FromGrpc(reader->Finish()));
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[0].action(), "adopt_rectification");
  EXPECT_EQ(entries[1].action(), "update_rectification");
  EXPECT_THAT(entries[1].detail(), HasSubstr("IN_PROGRESS"));
  EXPECT_EQ(entries[1].principal(), "钱塘示范县教育局");
}

TEST_F(RectificationServerTest, EachRoleReachesWhatItShould) {
  std::vector<v1::RectificationItem> items = AdoptDefaultPlan();
  const v1::RectificationItem* mine =
      ItemAt(items, kSchool26, "multimedia_classrooms");
  ASSERT_NE(mine, nullptr);
  const v1::RectificationItem* theirs = nullptr;
  for (const auto& i : items) {
    if (!absl::EndsWith(i.action().school(), kSchool26) &&
        !absl::EndsWith(i.action().from_school(), kSchool26)) {
      theirs = &i;
    }
  }
  ASSERT_NE(theirs, nullptr);
  // A school sees and updates its own items, no one else's.
  auto own = List("school26");
  ASSERT_OK(own);
  ASSERT_GT(own->items_size(), 0);
  for (const auto& i : own->items()) {
    EXPECT_TRUE(absl::EndsWith(i.action().school(), kSchool26) ||
                absl::EndsWith(i.action().from_school(), kSchool26))
        << i.name();
  }
  EXPECT_OK(Get(mine->name(), "school26"));
  EXPECT_EQ(Get(theirs->name(), "school26").status().code(),
            absl::StatusCode::kPermissionDenied);
  // The same answer for an item that does not exist.
  EXPECT_EQ(Get(absl::StrCat(kCounty, "/rectificationItems/999999"), "school26")
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  v1::RectificationItem progress = *mine;
  progress.set_status(v1::RectificationItem::IN_PROGRESS);
  EXPECT_OK(Update(progress, {"status"}, "school26"));
  v1::RectificationItem owner = *mine;
  owner.set_owner("me");
  EXPECT_EQ(Update(owner, {"owner"}, "school26").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Update(*theirs, {"status"}, "school26").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Plan({}, "school26").status().code(),
            absl::StatusCode::kPermissionDenied);

  // Inspectors and the province read and plan; they neither adopt nor
  // update.
  for (const char* reader : {"inspector", "province"}) {
    auto plan = Plan({}, reader);
    ASSERT_OK(plan);
    EXPECT_OK(List(reader));
    EXPECT_OK(Get(theirs->name(), reader));
    v1::AdoptRectificationPlanRequest r;
    r.set_parent(kCounty);
    *r.mutable_plan() = *plan;
    EXPECT_EQ(Adopt(r, reader).status().code(),
              absl::StatusCode::kPermissionDenied)
        << reader;
    EXPECT_EQ(Update(*theirs, {"status"}, reader).status().code(),
              absl::StatusCode::kPermissionDenied)
        << reader;
  }
  // Another county reaches nothing here.
  EXPECT_EQ(Plan({}, "foreign").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(List("foreign").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Get(mine->name(), "foreign").status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Acknowledged adoptions and updates survive kill -9: each is one synced
// RocksDB batch with its audit entries, acknowledged after the sync.
TEST(RectificationCrashTest, AcknowledgedItemsSurviveKillNine) {
  TempDir dir;
  const std::vector<std::string> flags = {"--data_dir=" + dir.File("checklist"),
                                          "--standards_dir=" JUNHENG_SOURCE_DIR
                                          "/standards"};
  auto server = std::make_unique<ServerProcess>("junheng-checklist", flags);
  ASSERT_OK(server->Start());
  auto import = [&](bool schools, const std::string& file) {
    auto stub = v1::ChecklistService::NewStub(Connect(server->address()));
    grpc::ClientContext c;
    v1::ImportResponse response;
    auto writer = schools ? stub->ImportSchools(&c, &response)
                          : stub->ImportCounties(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(ReadFile(std::string(kExample) + file));
    writer->Write(m);
    writer->WritesDone();
    return FromGrpc(writer->Finish());
  };
  ASSERT_OK(import(true, "schools.csv"));
  ASSERT_OK(import(false, "counties.csv"));
  auto stub = v1::RectificationService::NewStub(Connect(server->address()));
  v1::RectificationPlan plan;
  {
    grpc::ClientContext c;
    v1::PlanRectificationRequest r;
    r.set_name(kCounty);
    ASSERT_OK(FromGrpc(stub->PlanRectification(&c, r, &plan)));
  }
  v1::AdoptRectificationPlanResponse adopted;
  {
    grpc::ClientContext c;
    v1::AdoptRectificationPlanRequest r;
    r.set_parent(kCounty);
    *r.mutable_plan() = plan;
    r.set_request_id("crash-1");
    ASSERT_OK(FromGrpc(stub->AdoptRectificationPlan(&c, r, &adopted)));
  }
  ASSERT_GT(adopted.items_size(), 0);
  v1::RectificationItem updated;
  {
    grpc::ClientContext c;
    v1::UpdateRectificationItemRequest r;
    *r.mutable_item() = adopted.items(0);
    r.mutable_item()->set_owner("装备科 李");
    r.mutable_update_mask()->add_paths("owner");
    ASSERT_OK(FromGrpc(stub->UpdateRectificationItem(&c, r, &updated)));
  }
  server->Kill();
  server = std::make_unique<ServerProcess>("junheng-checklist", flags);
  ASSERT_OK(server->Start());
  stub = v1::RectificationService::NewStub(Connect(server->address()));
  grpc::ClientContext c;
  v1::ListRectificationItemsRequest r;
  r.set_parent(kCounty);
  v1::ListRectificationItemsResponse listed;
  ASSERT_OK(FromGrpc(stub->ListRectificationItems(&c, r, &listed)));
  ASSERT_EQ(listed.items_size(), adopted.items_size());
  EXPECT_EQ(listed.items(0).owner(), "装备科 李");
  EXPECT_EQ(listed.items(0).revision(), updated.revision());
  // The retried adoption still creates nothing after the restart.
  grpc::ClientContext c2;
  v1::AdoptRectificationPlanRequest retry;
  retry.set_parent(kCounty);
  *retry.mutable_plan() = plan;
  retry.set_request_id("crash-1");
  v1::AdoptRectificationPlanResponse again;
  ASSERT_OK(FromGrpc(stub->AdoptRectificationPlan(&c2, retry, &again)));
  EXPECT_EQ(again.items_size(), adopted.items_size());
  EXPECT_EQ(again.items(0).name(), adopted.items(0).name());
}

// A cost model that does not read is a start-up failure naming the file and
// line: plans priced from half a file would mislead a budget.
TEST(RectificationStartupTest, ABadCostFileStopsTheServiceAtStartUp) {
  TempDir dir;
  WriteFile(dir.File("costs.csv"),
            "school_code,resource,unit_cost_yuan,max_units\n"
            ",sports_area_m2,-5,\n");
  ServerProcess bad("junheng-checklist",
                    {"--data_dir=" + dir.File("checklist"),
                     "--standards_dir=" JUNHENG_SOURCE_DIR "/standards",
                     "--costs_file=" + dir.File("costs.csv")});
  EXPECT_FALSE(bad.Start().ok());
  EXPECT_THAT(bad.Stderr(), HasSubstr("costs.csv"));
  EXPECT_THAT(bad.Stderr(), HasSubstr("line 2"));
  ServerProcess missing("junheng-checklist",
                        {"--data_dir=" + dir.File("checklist2"),
                         "--standards_dir=" JUNHENG_SOURCE_DIR "/standards",
                         "--costs_file=" + dir.File("nope.csv")});
  EXPECT_FALSE(missing.Start().ok());
  EXPECT_THAT(missing.Stderr(), HasSubstr("cannot read the cost model"));
}

}  // namespace
}  // namespace junheng
