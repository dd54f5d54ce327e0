// Tokens, the principals file, roles and scopes, and the audit chain
// verifier, without any server: common/tokens.h, common/access.h,
// common/tls.h (IsLoopbackAddress) and clients/audit_verify.h.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/audit_verify.h"
#include "common/access.h"
#include "common/audit_chain.h"
#include "common/tls.h"
#include "common/tokens.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCounty[] = "330106";
constexpr char kSchool[] = "2133010601";

int64_t Now() { return absl::ToUnixMicros(absl::Now()); }
const Actor kAdmin{"local:root", ""};

NewToken MustAdd(internal::PrincipalsFile& file, Role role, Scope scope,
                 const std::string& name, int64_t expire_us = 0) {
  TokenSpec spec;
  spec.role = role;
  spec.scope = scope;
  spec.name = name;
  spec.expire_time_us = expire_us;
  absl::StatusOr<NewToken> made = AddToken(file, spec, kAdmin, Now());
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? *made : NewToken();
}

absl::Status TryAdd(Role role, Scope scope, const std::string& name = "x",
                    int64_t expire_us = 0) {
  internal::PrincipalsFile file;
  TokenSpec spec;
  spec.role = role;
  spec.scope = scope;
  spec.name = name;
  spec.expire_time_us = expire_us;
  return AddToken(file, spec, kAdmin, Now()).status();
}

// --- Token shape --------------------------------------------------------

TEST(TokenTest, NewTokenHasTheDocumentedShapeAndParses) {
  internal::PrincipalsFile file;
  NewToken t =
      MustAdd(file, Role::kSchool, Scope::School(kCounty, kSchool), "实验小学");
  EXPECT_TRUE(std::regex_match(t.token,
                               std::regex("jh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")))
      << t.token;
  absl::StatusOr<ParsedToken> parsed = ParseToken(t.token);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->id, t.record.id());
  EXPECT_EQ(parsed->id, t.token.substr(3, 16));
  EXPECT_EQ(parsed->sha256, t.record.sha256());
  // The file keeps only the hash, never the secret.
  EXPECT_THAT(file.DebugString(), Not(HasSubstr(t.token.substr(20))));
  EXPECT_EQ(file.token_size(), 1);
  EXPECT_EQ(file.token(0).role(), "school");
  EXPECT_EQ(file.token(0).scope(), "counties/330106/schools/2133010601");

  // Two tokens never share an id or a secret.
  NewToken u =
      MustAdd(file, Role::kSchool, Scope::School(kCounty, kSchool), "实验小学");
  EXPECT_NE(u.record.id(), t.record.id());
  EXPECT_NE(u.token.substr(20), t.token.substr(20));
}

TEST(TokenTest, ParseTokenRejectsEverythingElse) {
  internal::PrincipalsFile file;
  const std::string good = MustAdd(file, Role::kAdmin, Scope(), "admin").token;
  ASSERT_TRUE(ParseToken(good).ok());
  const std::string id = good.substr(3, 16);
  const std::string secret = good.substr(20);
  ASSERT_EQ(secret.size(), 43u);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"wrong prefix", "jx_" + id + "_" + secret},
      {"upper-case prefix", "JH_" + id + "_" + secret},
      {"no prefix", id + "_" + secret + "abc"},
      {"one short", good.substr(0, good.size() - 1)},
      {"one long", good + "A"},
      {"short id", "jh_" + id.substr(1) + "_" + secret + "A"},
      {"upper-case hex id", "jh_ABCDEF0123456789_" + secret},
      {"non-hex id", "jh_0123456789abcdeg_" + secret},
      {"no separator", "jh_" + id + "x" + secret},
      {"'+' in secret", "jh_" + id + "_" + secret.substr(1) + "+"},
      {"'/' in secret", "jh_" + id + "_/" + secret.substr(1)},
      {"'=' padding", "jh_" + id + "_" + secret.substr(1) + "="},
      {"'.' in secret",
       "jh_" + id + "_" + secret.substr(0, 20) + "." + secret.substr(21)},
      {"space in secret", "jh_" + id + "_" + secret.substr(0, 42) + " "},
      {"Bearer included", "Bearer " + good},
  };
  for (const auto& [why, token] : bad) {
    absl::StatusOr<ParsedToken> parsed = ParseToken(token);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kUnauthenticated)
        << why << ": " << token;
    EXPECT_THAT(parsed.status().message(), HasSubstr("malformed")) << why;
  }
}

// --- Role and scope rules -----------------------------------------------

TEST(TokenTest, AddTokenEnforcesWhichScopeEachRoleTakes) {
  const Scope none;
  const Scope nation = Scope::Nation();
  const Scope province = Scope::Province("33");
  const Scope county = Scope::County(kCounty);
  const Scope school = Scope::School(kCounty, kSchool);
  struct Case {
    Role role;
    Scope scope;
    bool ok;
  };
  const std::vector<Case> cases = {
      {Role::kSchool, school, true},        {Role::kSchool, county, false},
      {Role::kSchool, none, false},         {Role::kSchool, nation, false},
      {Role::kCounty, county, true},        {Role::kCounty, school, false},
      {Role::kCounty, province, false},     {Role::kCounty, none, false},
      {Role::kInspector, nation, true},     {Role::kInspector, province, true},
      {Role::kInspector, county, true},     {Role::kInspector, school, false},
      {Role::kInspector, none, false},      {Role::kProvince, province, true},
      {Role::kProvince, county, false},     {Role::kProvince, nation, false},
      {Role::kProvince, none, false},       {Role::kAdmin, none, true},
      {Role::kAdmin, nation, false},        {Role::kAdmin, county, false},
      {Role::kService, none, true},         {Role::kService, county, false},
      {Role::kService, nation, false},      {Role::kUnrestricted, none, false},
      {Role::kUnrestricted, nation, false},
  };
  for (const Case& c : cases) {
    absl::Status s = TryAdd(c.role, c.scope);
    const std::string label = absl::StrCat(RoleName(c.role), " with scope \"",
                                           c.scope.ToString(), "\"");
    if (c.ok) {
      EXPECT_TRUE(s.ok()) << label << ": " << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << label;
    }
  }
  // The refusal says what the role takes.
  EXPECT_THAT(TryAdd(Role::kSchool, county).message(),
              HasSubstr("counties/{c}/schools/{s}"));
  EXPECT_THAT(TryAdd(Role::kAdmin, nation).message(), HasSubstr("no scope"));
}

TEST(TokenTest, AddTokenChecksNameAndExpiryAndAuditsTheChange) {
  EXPECT_EQ(TryAdd(Role::kAdmin, Scope(), "").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryAdd(Role::kAdmin, Scope(), std::string(65, 'a')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryAdd(Role::kAdmin, Scope(), "tab\there").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TryAdd(Role::kAdmin, Scope(), "x", Now() - 1000000).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(TryAdd(Role::kAdmin, Scope(), "x", Now() + 3600000000).ok());

  internal::PrincipalsFile file;
  NewToken a = MustAdd(file, Role::kAdmin, Scope(), "admin");
  NewToken b = MustAdd(file, Role::kCounty, Scope::County(kCounty), "county",
                       Now() + 3600000000LL);
  EXPECT_FALSE(b.record.expire_time().empty());
  ASSERT_EQ(file.audit_size(), 2);
  EXPECT_EQ(file.audit(0).action(), "token_create");
  EXPECT_EQ(file.audit(0).resource(), "tokens/" + a.record.id());
  EXPECT_EQ(file.audit(0).principal(), kAdmin.principal);
  EXPECT_EQ(file.audit(1).resource(), "tokens/" + b.record.id());
  ASSERT_OK(RevokeToken(file, a.record.id(), kAdmin, Now()));
  ASSERT_EQ(file.audit_size(), 3);
  EXPECT_EQ(file.audit(2).action(), "token_revoke");
  ChainVerifier verifier(true, std::nullopt);
  for (const auto& e : file.audit()) EXPECT_TRUE(verifier.Add(e));
  EXPECT_TRUE(verifier.Finish());
  EXPECT_EQ(verifier.entries(), 3);
}

TEST(TokenTest, RevokeToken) {
  internal::PrincipalsFile file;
  NewToken t = MustAdd(file, Role::kCounty, Scope::County(kCounty), "county");
  EXPECT_EQ(RevokeToken(file, "0123456789abcdef", kAdmin, Now()).code(),
            absl::StatusCode::kNotFound);
  ASSERT_OK(RevokeToken(file, t.record.id(), kAdmin, Now()));
  EXPECT_FALSE(file.token(0).revoke_time().empty());
  absl::Status again = RevokeToken(file, t.record.id(), kAdmin, Now());
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("already revoked"));
  // A failed revocation changes nothing, not even the audit chain.
  EXPECT_EQ(file.audit_size(), 2);
}

TEST(TokenTest, PrincipalOfLiveExpiredAndRevokedTokens) {
  internal::PrincipalsFile file;
  const int64_t now = Now();
  NewToken t = MustAdd(file, Role::kInspector, Scope::Province("33"),
                       "inspector-li", now + 3600000000LL);
  absl::StatusOr<Principal> p = PrincipalOf(t.record, now);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "inspector-li");
  EXPECT_EQ(p->token_id, t.record.id());
  EXPECT_EQ(p->role, Role::kInspector);
  EXPECT_EQ(p->scope, Scope::Province("33"));
  EXPECT_TRUE(p->via.empty());

  // At and after the expiry.
  for (int64_t at : {now + 3600000000LL, now + 7200000000LL}) {
    absl::StatusOr<Principal> late = PrincipalOf(t.record, at);
    EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(late.status().message(), HasSubstr("expired"));
  }
  internal::TokenRecord past = t.record;
  past.set_expire_time(FormatRfc3339(now - 60000000));
  EXPECT_THAT(PrincipalOf(past, now).status().message(), HasSubstr("expired"));

  internal::TokenRecord revoked = t.record;
  revoked.set_revoke_time(FormatRfc3339(now));
  absl::StatusOr<Principal> r = PrincipalOf(revoked, now);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(r.status().message(), HasSubstr("revoked"));

  internal::TokenRecord no_role = t.record;
  no_role.set_role("wizard");
  EXPECT_EQ(PrincipalOf(no_role, now).status().code(),
            absl::StatusCode::kUnauthenticated);
  internal::TokenRecord unrestricted = t.record;
  unrestricted.set_role("unrestricted");
  EXPECT_EQ(PrincipalOf(unrestricted, now).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(TokenTest, Rfc3339RoundTrip) {
  const int64_t t = 1795000000LL * 1000000;
  // UTC, written Z or +00:00 (Abseil's choice); both are RFC 3339.
  EXPECT_THAT(FormatRfc3339(t), ::testing::AnyOf("2026-11-18T11:06:40Z",
                                                 "2026-11-18T11:06:40+00:00"));
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  EXPECT_EQ(ParseRfc3339("2026-11-18T19:06:40+08:00"), t);
  EXPECT_EQ(ParseRfc3339("yesterday"), std::nullopt);
}

// --- The principals file ------------------------------------------------

TEST(PrincipalsFileTest, WriteThenReadRoundTripsOwnerOnly) {
  TempDir dir;
  const std::string path = dir.File("principals.txtpb");
  EXPECT_EQ(ReadPrincipalsFile(path).status().code(),
            absl::StatusCode::kNotFound);
  internal::PrincipalsFile file;
  MustAdd(file, Role::kAdmin, Scope(), "admin");
  MustAdd(file, Role::kSchool, Scope::School(kCounty, kSchool), "实验小学",
          Now() + 86400000000LL);
  NewToken revoked = MustAdd(file, Role::kService, Scope(), "checklist");
  ASSERT_OK(RevokeToken(file, revoked.record.id(), kAdmin, Now()));
  ASSERT_OK(WritePrincipalsFile(path, file));

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600);

  absl::StatusOr<internal::PrincipalsFile> back = ReadPrincipalsFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), file.SerializeAsString());

  // Rewriting keeps it owner-only and leaves no temporary file behind.
  ASSERT_OK(WritePrincipalsFile(path, *back));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600);
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(PrincipalsFileTest, BrokenFileIsInvalidArgumentNamingTheLine) {
  TempDir dir;
  const std::string path = dir.File("principals.txtpb");
  WriteFile(path,
            "# comment\n"
            "token {\n"
            "  id: \"0123456789abcdef\"\n"
            "  rolle: \"admin\"\n"
            "}\n");
  absl::StatusOr<internal::PrincipalsFile> read = ReadPrincipalsFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr(path));
  EXPECT_THAT(read.status().message(), HasSubstr("line 4"));

  WriteFile(path, "token {\n  id: \"0123456789abcdef\"\n");  // cut short
  read = ReadPrincipalsFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("line "));

  // Well-formed text holding an invalid record names the record.
  internal::PrincipalsFile file;
  MustAdd(file, Role::kAdmin, Scope(), "admin");
  MustAdd(file, Role::kCounty, Scope::County(kCounty), "county");
  file.mutable_token(1)->set_role("wizard");
  ASSERT_OK(WritePrincipalsFile(path, file));
  read = ReadPrincipalsFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("token 2"));

  file.mutable_token(1)->set_role("county");
  file.mutable_token(1)->set_id(file.token(0).id());
  ASSERT_OK(WritePrincipalsFile(path, file));
  EXPECT_THAT(ReadPrincipalsFile(path).status().message(),
              HasSubstr("appears twice"));

  file.mutable_token(1)->set_id("fedcba9876543210");
  file.mutable_token(1)->set_scope("counties/330106/schools/2133010601");
  ASSERT_OK(WritePrincipalsFile(path, file));
  EXPECT_EQ(ReadPrincipalsFile(path).status().code(),
            absl::StatusCode::kInvalidArgument);

  file.mutable_token(1)->set_scope("counties/330106");
  file.mutable_token(1)->set_expire_time("next tuesday");
  ASSERT_OK(WritePrincipalsFile(path, file));
  EXPECT_THAT(ReadPrincipalsFile(path).status().message(),
              HasSubstr("RFC 3339"));
}

// --- Scopes ---------------------------------------------------------------

TEST(ScopeTest, ContainsTable) {
  const Scope none;
  const Scope nation = Scope::Nation();
  const Scope p33 = Scope::Province("33");
  const Scope p34 = Scope::Province("34");
  const Scope c330106 = Scope::County("330106");
  const Scope c330199 = Scope::County("330199");
  const Scope c340101 = Scope::County("340101");
  const Scope s1 = Scope::School("330106", "2133010601");
  const Scope s2 = Scope::School("330106", "2133010602");
  const Scope s3 = Scope::School("330199", "2133010601");
  const std::vector<Scope> all = {none,    nation,  p33, p34, c330106,
                                  c330199, c340101, s1,  s2,  s3};
  // Expected: which of `all` each scope contains.
  const std::vector<std::pair<Scope, std::vector<Scope>>> expected = {
      {none, {}},
      {nation, {nation, p33, p34, c330106, c330199, c340101, s1, s2, s3}},
      {p33, {p33, c330106, c330199, s1, s2, s3}},
      {p34, {p34, c340101}},
      {c330106, {c330106, s1, s2}},
      {c330199, {c330199, s3}},
      {c340101, {c340101}},
      {s1, {s1}},
      {s2, {s2}},
      {s3, {s3}},
  };
  for (const auto& [outer, inside] : expected) {
    for (const Scope& target : all) {
      const bool want =
          std::find(inside.begin(), inside.end(), target) != inside.end();
      EXPECT_EQ(outer.Contains(target), want)
          << "\"" << outer.ToString() << "\" contains \"" << target.ToString()
          << "\"";
    }
  }
}

TEST(ScopeTest, ParseScopeRoundTripsAndRejects) {
  for (const std::string text : {"nation", "provinces/33", "counties/330106",
                                 "counties/330106/schools/2133010601"}) {
    absl::StatusOr<Scope> s = ParseScope(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.status();
    EXPECT_EQ(s->ToString(), text);
  }
  for (const std::string text :
       {"", "Nation", "provinces/3", "provinces/3a", "counties/33010",
        "counties/330106/schools/213301060", "counties/330106/evidence/x",
        "counties/-", "tokens/0123456789abcdef", "/counties/330106"}) {
    EXPECT_EQ(ParseScope(text).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
  EXPECT_EQ(ParseScope("counties/330106")->province, "33");
}

TEST(ScopeTest, ScopeOfResourceTable) {
  const Scope none;
  const std::vector<std::pair<std::string, Scope>> cases = {
      // Evidence, its versions, and a listing parent.
      {"counties/330106/schools/2133010601/evidence/r4-floor-area",
       Scope::School("330106", "2133010601")},
      {"counties/330106/schools/2133010601/evidence/r4-floor-area/versions/3",
       Scope::School("330106", "2133010601")},
      {"counties/330106/schools/2133010601",
       Scope::School("330106", "2133010601")},
      {"counties/330106/evidence/budget", Scope::County("330106")},
      {"counties/330106/evidence/budget/versions/1", Scope::County("330106")},
      // County evidence whose id is literally "schools" or "years".
      {"counties/330106/evidence/schools", Scope::County("330106")},
      {"counties/330106/evidence/schools/versions/2", Scope::County("330106")},
      {"counties/330106/evidence/years", Scope::County("330106")},
      // Statistics put the year first.
      {"counties/330106/years/2025/schools/2133010601/statistics",
       Scope::School("330106", "2133010601")},
      {"counties/330106/years/2025/statistics", Scope::County("330106")},
      {"counties/330106/years/2025", Scope::County("330106")},
      {"counties/330106", Scope::County("330106")},
      // Every county; a province.
      {"counties/-", Scope::Nation()},
      {"provinces/33", Scope::Province("33")},
      {"provinces/33/years/2025", Scope::Province("33")},
      // Anything else lies nowhere: no scope contains it.
      {"tokens/0123456789abcdef", none},
      {"", none},
      {"counties", none},
      {"counties/33010", none},
      {"counties/3301066", none},
      {"counties/330106/schools/21330106/evidence/x", none},
      {"counties/330106/years/2025/schools/bad/statistics", none},
      {"provinces/3", none},
      {"standards/gb-2025", none},
  };
  for (const auto& [name, want] : cases) {
    EXPECT_EQ(ScopeOfResource(name), want)
        << name << " → \"" << ScopeOfResource(name).ToString()
        << "\", expected \"" << want.ToString() << "\"";
  }
  EXPECT_FALSE(Scope::Nation().Contains(ScopeOfResource("tokens/x")));
}

// --- Authorization --------------------------------------------------------

Principal Who(Role role, Scope scope) {
  Principal p;
  p.name = "someone";
  p.token_id = "0123456789abcdef";
  p.role = role;
  p.scope = scope;
  return p;
}

TEST(AuthorizeTest, RoleByPermissionMatrixInsideTheScope) {
  using P = Permission;
  const std::vector<P> permissions = {
      P::kReadStandards,  P::kReadEvidence,       P::kWriteEvidence,
      P::kDeleteEvidence, P::kImportStatistics,   P::kReadStatistics,
      P::kEvaluate,       P::kRecordJudgement,    P::kReadAudit,
      P::kFreezeEvidence, P::kAdoptRectification, P::kUpdateRectification};
  // Hand-written from the table in common/access.h, in the order above:
  // standards, read ev., upload, delete, import, read stats, evaluate,
  // judgement, audit, freeze, adopt a plan, update items.
  struct Row {
    Role role;
    Scope scope;
    std::vector<int> may;
  };
  const Scope school = Scope::School(kCounty, kSchool);
  const std::vector<Row> rows = {
      // Its own evidence (upload, read), own statistics (import, read), own
      // reports, audit entries and rectification items; no delete,
      // evaluation, judgement or adoption.
      {Role::kSchool, school, {1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1}},
      // Everything of its county except judgements.
      {Role::kCounty,
       Scope::County(kCounty),
       {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1}},
      // Reads, evaluates and judges; never uploads, deletes or imports.
      {Role::kInspector,
       Scope::County(kCounty),
       {1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0}},
      {Role::kInspector, Scope::Nation(), {1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0}},
      // Imports and reads for its province, evaluates.
      {Role::kProvince,
       Scope::Province("33"),
       {1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0}},
      // Tokens and audit logs only.
      {Role::kAdmin, Scope(), {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
      // Nothing itself.
      {Role::kService, Scope(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
      {Role::kUnrestricted,
       Scope::Nation(),
       {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
  };
  for (const Row& row : rows) {
    ASSERT_EQ(row.may.size(), permissions.size());
    for (size_t i = 0; i < permissions.size(); ++i) {
      // A target inside every row's scope: the school itself.
      absl::Status s =
          Authorize(Who(row.role, row.scope), permissions[i], school);
      const std::string label =
          absl::StrCat(RoleName(row.role), " of \"", row.scope.ToString(),
                       "\" may ", PermissionName(permissions[i]));
      if (row.may[i]) {
        EXPECT_TRUE(s.ok()) << label << ": " << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << label;
        EXPECT_THAT(s.message(), HasSubstr("someone (")) << label;
      }
    }
  }
}

TEST(AuthorizeTest, ScopeBoundsEveryRole) {
  const Scope own_school = Scope::School(kCounty, kSchool);
  const Scope sibling = Scope::School(kCounty, "2133010602");
  const Scope own_county = Scope::County(kCounty);
  const Scope other_county = Scope::County("330199");
  const Scope other_province_county = Scope::County("340101");
  const Scope nation = Scope::Nation();
  using P = Permission;
  struct Case {
    Principal who;
    P permission;
    Scope target;
    bool ok;
  };
  const std::vector<Case> cases = {
      {Who(Role::kSchool, own_school), P::kReadEvidence, own_school, true},
      {Who(Role::kSchool, own_school), P::kReadEvidence, sibling, false},
      {Who(Role::kSchool, own_school), P::kReadEvidence, own_county, false},
      {Who(Role::kSchool, own_school), P::kWriteEvidence, sibling, false},
      {Who(Role::kCounty, own_county), P::kDeleteEvidence, own_school, true},
      {Who(Role::kCounty, own_county), P::kReadEvidence, own_county, true},
      {Who(Role::kCounty, own_county), P::kReadEvidence, other_county, false},
      {Who(Role::kCounty, own_county), P::kReadEvidence, nation, false},
      {Who(Role::kInspector, Scope::Province("33")), P::kReadEvidence,
       other_county, true},
      {Who(Role::kInspector, Scope::Province("33")), P::kReadEvidence,
       other_province_county, false},
      {Who(Role::kInspector, Scope::Province("33")), P::kReadEvidence, nation,
       false},
      {Who(Role::kInspector, nation), P::kReadEvidence, nation, true},
      {Who(Role::kInspector, nation), P::kReadEvidence, other_province_county,
       true},
      {Who(Role::kProvince, Scope::Province("33")), P::kEvaluate,
       Scope::Province("33"), true},
      {Who(Role::kProvince, Scope::Province("33")), P::kEvaluate,
       Scope::Province("34"), false},
      // Nothing contains a target that lies nowhere (tokens/…), except for
      // what needs no place: standards, and an admin's audit reads.
      {Who(Role::kInspector, nation), P::kReadEvidence, Scope(), false},
      {Who(Role::kSchool, own_school), P::kReadStandards, Scope(), true},
      {Who(Role::kAdmin, Scope()), P::kReadAudit, Scope(), true},
      {Who(Role::kAdmin, Scope()), P::kReadAudit, own_county, true},
  };
  for (const Case& c : cases) {
    absl::Status s = Authorize(c.who, c.permission, c.target);
    const std::string label = absl::StrCat(
        RoleName(c.who.role), " of \"", c.who.scope.ToString(), "\" may ",
        PermissionName(c.permission), " in \"", c.target.ToString(), "\"");
    if (c.ok) {
      EXPECT_TRUE(s.ok()) << label << ": " << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << label;
    }
  }
  // The refusal names who and what, and the place asked about.
  absl::Status s =
      Authorize(Who(Role::kCounty, own_county), P::kReadEvidence, other_county);
  EXPECT_THAT(s.message(), HasSubstr("someone (county of counties/330106)"));
  EXPECT_THAT(s.message(), HasSubstr("counties/330199"));
  EXPECT_THAT(
      Authorize(Who(Role::kService, Scope()), P::kReadEvidence, own_county)
          .message(),
      HasSubstr("on behalf of"));
}

TEST(RoleTest, NamesRoundTripAndUnrestrictedCannotBeNamed) {
  for (Role r : {Role::kSchool, Role::kCounty, Role::kInspector,
                 Role::kProvince, Role::kAdmin, Role::kService}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(ParseRole("unrestricted"), std::nullopt);
  EXPECT_EQ(ParseRole("School"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(LoopbackTest, OnlyLoopbackAddressesCount) {
  for (const char* a : {"127.0.0.1:0", "127.0.0.1:50051", "127.1.2.3:1",
                        "localhost:50051", "[::1]:50051"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a :
       {"0.0.0.0:0", "[::]:0", ":50051", "10.0.0.1:50051", "192.168.1.2:1",
        "example.com:443", "127.0.0.1.example.com:1", "127.1:1",
        "[::ffff:10.0.0.1]:1", "localhost.example.com:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

// --- Chain verification ---------------------------------------------------

std::vector<v1::AuditEntry> Chain(int n) {
  AuditChain chain;
  std::vector<v1::AuditEntry> out;
  for (int i = 1; i <= n; ++i) {
    v1::AuditEntry e = chain.Next(
        {"实验小学", "0123456789abcdef"},
        {.action = "upload",
         .resource = absl::StrCat(
             "counties/330106/schools/2133010601/evidence/e/versions/", i),
         .content_sha256 = std::string(64, 'a' + i % 6),
         .detail = absl::StrCat("entry ", i)},
        1795000000000000LL + i);
    chain.Advance(e);
    out.push_back(e);
  }
  return out;
}

std::optional<AuditProblem> Verify(const std::vector<v1::AuditEntry>& entries,
                                   bool contiguous = true,
                                   std::optional<ChainHead> head = {}) {
  ChainVerifier verifier(contiguous, std::move(head));
  for (const auto& e : entries) {
    if (!verifier.Add(e)) break;
  }
  verifier.Finish();
  return verifier.problem();
}

TEST(ChainVerifierTest, GoodChainVerifies) {
  std::vector<v1::AuditEntry> entries = Chain(6);
  EXPECT_EQ(entries[0].previous_hash(), kGenesisHash);
  ChainVerifier verifier(true, std::nullopt);
  for (const auto& e : entries) ASSERT_TRUE(verifier.Add(e));
  ASSERT_TRUE(verifier.Finish());
  EXPECT_EQ(verifier.entries(), 6);
  EXPECT_EQ(verifier.last().sequence, 6);
  EXPECT_EQ(verifier.last().hash, entries[5].hash());
  EXPECT_EQ(verifier.last().ToString(), absl::StrCat("6:", entries[5].hash()));
  // An empty log is a valid one.
  EXPECT_EQ(Verify({}), std::nullopt);
}

TEST(ChainVerifierTest, EveryAlteredFieldIsCaughtAtItsEntry) {
  using Edit = std::function<void(v1::AuditEntry&)>;
  const std::vector<std::pair<std::string, Edit>> edits = {
      {"principal", [](v1::AuditEntry& e) { e.set_principal("mallory"); }},
      {"token_id",
       [](v1::AuditEntry& e) { e.set_token_id("fedcba9876543210"); }},
      {"action", [](v1::AuditEntry& e) { e.set_action("delete"); }},
      {"resource",
       [](v1::AuditEntry& e) { e.set_resource("counties/330199"); }},
      {"content",
       [](v1::AuditEntry& e) { e.set_content_sha256(std::string(64, 'f')); }},
      {"request_id", [](v1::AuditEntry& e) { e.set_request_id("r"); }},
      {"detail", [](v1::AuditEntry& e) { e.set_detail(""); }},
      {"time",
       [](v1::AuditEntry& e) {
         e.mutable_time()->set_seconds(e.time().seconds() + 1);
       }},
      {"previous_hash",
       [](v1::AuditEntry& e) { e.set_previous_hash(std::string(64, '1')); }},
  };
  for (const auto& [what, edit] : edits) {
    std::vector<v1::AuditEntry> entries = Chain(5);
    edit(entries[2]);  // entry 3, its recorded hash kept
    std::optional<AuditProblem> problem = Verify(entries);
    ASSERT_TRUE(problem.has_value()) << what;
    EXPECT_EQ(problem->sequence, 3) << what;
    EXPECT_THAT(problem->what, HasSubstr("altered")) << what;
  }
}

TEST(ChainVerifierTest, ReplacedEntryBreaksTheLink) {
  // Entry 3 replaced by a self-consistent entry that links to entry 2: the
  // break shows at entry 4, whose previous_hash no longer matches.
  {
    std::vector<v1::AuditEntry> entries = Chain(5);
    entries[2].set_principal("mallory");
    entries[2].set_hash(AuditEntryHash(entries[2]));
    std::optional<AuditProblem> problem = Verify(entries);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->sequence, 4);
    EXPECT_THAT(problem->what, HasSubstr("replaced"));
  }
  // Entry 3 replaced by an entry of another chain: caught at entry 3.
  {
    std::vector<v1::AuditEntry> entries = Chain(5);
    AuditChain other;
    other.Restore(entries[0]);  // pretends entry 2 never existed
    v1::AuditEntry forged =
        other.Next({"mallory", ""}, {.action = "upload"}, 1795000000000000LL);
    forged.set_sequence(3);
    forged.set_hash(AuditEntryHash(forged));
    entries[2] = forged;
    std::optional<AuditProblem> problem = Verify(entries);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->sequence, 3);
    EXPECT_THAT(problem->what, HasSubstr("does not follow entry 2"));
  }
}

TEST(ChainVerifierTest, CutLogIsAGapWhenTheWholeLogIsRead) {
  std::vector<v1::AuditEntry> entries = Chain(6);
  entries.erase(entries.begin() + 2);  // entry 3
  std::optional<AuditProblem> problem = Verify(entries);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 3);
  EXPECT_THAT(problem->what, HasSubstr("entries 3 to 3 are missing"));

  entries.erase(entries.begin() + 2);  // entry 4 too
  problem = Verify(entries);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 3);
  EXPECT_THAT(problem->what, HasSubstr("entries 3 to 4 are missing"));

  // A reader who may not see every entry expects gaps.
  EXPECT_EQ(Verify(entries, /*contiguous=*/false), std::nullopt);

  // Cut at the start.
  std::vector<v1::AuditEntry> headless = Chain(4);
  headless.erase(headless.begin());
  problem = Verify(headless);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 1);

  // Out of order.
  std::vector<v1::AuditEntry> swapped = Chain(4);
  std::swap(swapped[1], swapped[2]);
  problem = Verify(swapped, /*contiguous=*/false);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 2);
  EXPECT_THAT(problem->what, HasSubstr("out of order"));
}

TEST(ChainVerifierTest, WrongGenesis) {
  std::vector<v1::AuditEntry> entries = Chain(3);
  entries[0].set_previous_hash(std::string(64, '1'));
  entries[0].set_hash(AuditEntryHash(entries[0]));
  std::optional<AuditProblem> problem = Verify(entries);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 1);
  EXPECT_THAT(problem->what, HasSubstr("does not start the chain"));
}

TEST(ChainVerifierTest, PublishedHead) {
  std::vector<v1::AuditEntry> entries = Chain(6);
  // Match, in the middle and at the end.
  EXPECT_EQ(Verify(entries, true, ChainHead{4, entries[3].hash()}),
            std::nullopt);
  EXPECT_EQ(Verify(entries, true, ChainHead{6, entries[5].hash()}),
            std::nullopt);

  // Mismatch: the log was rewritten up to the head.
  std::optional<AuditProblem> problem =
      Verify(entries, true, ChainHead{4, entries[2].hash()});
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 4);
  EXPECT_THAT(problem->what, HasSubstr("published head"));

  // A log rebuilt consistently from entry 2 on passes on its own, but not
  // against the head published before.
  std::vector<v1::AuditEntry> rebuilt = entries;
  rebuilt[1].set_principal("mallory");
  for (size_t i = 1; i < rebuilt.size(); ++i) {
    rebuilt[i].set_previous_hash(rebuilt[i - 1].hash());
    rebuilt[i].set_hash(AuditEntryHash(rebuilt[i]));
  }
  EXPECT_EQ(Verify(rebuilt), std::nullopt);
  problem = Verify(rebuilt, true, ChainHead{6, entries[5].hash()});
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 6);

  // The log ends before the head: entries were removed at the end.
  std::vector<v1::AuditEntry> shortened(entries.begin(), entries.begin() + 4);
  problem = Verify(shortened, true, ChainHead{6, entries[5].hash()});
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->sequence, 6);
  EXPECT_THAT(problem->what, HasSubstr("the log ends at entry 4"));
}

TEST(ChainVerifierTest, ParseChainHead) {
  const std::string hash(64, 'a');
  absl::StatusOr<ChainHead> head = ParseChainHead("12:" + hash);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->sequence, 12);
  EXPECT_EQ(head->hash, hash);
  EXPECT_EQ(head->ToString(), "12:" + hash);
  for (const std::string& bad :
       {std::string(""), hash, "12" + hash, "x:" + hash, "-1:" + hash,
        "12:" + hash.substr(1), "12:" + hash + "a"}) {
    EXPECT_EQ(ParseChainHead(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace junheng
