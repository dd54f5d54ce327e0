// The gateway's JSON printer against protobuf's own parser: every message
// of the API, filled with awkward values through reflection, prints to JSON
// that parses back to the same message; and the forms an integrator sees
// (names, 64-bit integers, enums, timestamps, masks, bytes) are the
// standard mapping's.
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "clients/web/json_print.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "junheng/v1/archive.pb.h"
#include "junheng/v1/checklist.pb.h"
#include "junheng/v1/rectification.pb.h"

namespace junheng::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using ::testing::HasSubstr;

class Filler {
 public:
  explicit Filler(uint32_t seed) : rng_(seed) {}

  void Fill(Message& m, int depth) {
    const Descriptor* d = m.GetDescriptor();
    const auto* r = m.GetReflection();
    if (d->full_name() == "google.protobuf.Timestamp") {
      r->SetInt64(&m, d->FindFieldByName("seconds"),
                  Pick<int64_t>({0, 1, 1767225600, 4102444799}));
      r->SetInt32(&m, d->FindFieldByName("nanos"),
                  Pick<int32_t>({0, 1, 5000, 120000000, 999999999}));
      return;
    }
    if (d->full_name() == "google.protobuf.Duration") {
      r->SetInt64(&m, d->FindFieldByName("seconds"), Pick<int64_t>({0, 3, 90}));
      return;
    }
    if (d->full_name() == "google.protobuf.FieldMask") {
      r->AddString(&m, d->FindFieldByName("paths"), "owner");
      r->AddString(&m, d->FindFieldByName("paths"), "linked_evidence");
      return;
    }
    if (absl::StartsWith(d->full_name(), "google.protobuf.")) return;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->containing_oneof() != nullptr && !Coin()) continue;
      if (!Coin() && !f->is_repeated()) continue;  // some stay default
      // A map gets one entry: its keys must differ.
      const int n = f->is_map()        ? 1
                    : f->is_repeated() ? static_cast<int>(rng_() % 3)
                                       : 1;
      for (int k = 0; k < n; ++k) Set(m, f, depth);
    }
  }

 private:
  template <typename T>
  T Pick(std::initializer_list<T> values) {
    auto it = values.begin();
    std::advance(it, rng_() % values.size());
    return *it;
  }
  bool Coin() { return rng_() % 2 == 0; }

  void Set(Message& m, const FieldDescriptor* f, int depth) {
    const auto* r = m.GetReflection();
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v =
            Pick<int32_t>({0, -1, 7, std::numeric_limits<int32_t>::max(),
                           std::numeric_limits<int32_t>::min()});
        rep ? r->AddInt32(&m, f, v) : r->SetInt32(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = Pick<int64_t>({0, -1, 9007199254740993,
                                   std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<int64_t>::min()});
        rep ? r->AddInt64(&m, f, v) : r->SetInt64(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = Pick<uint32_t>({0, 1, 4294967295u});
        rep ? r->AddUInt32(&m, f, v) : r->SetUInt32(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = Pick<uint64_t>({0, 1, 18446744073709551615ull});
        rep ? r->AddUInt64(&m, f, v) : r->SetUInt64(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double v = Pick<double>({0.0, -0.5, 0.1, 1.0 / 3, 0.5000000000000001,
                                 1e300, 5e-324, 12499999.99,
                                 std::numeric_limits<double>::infinity()});
        rep ? r->AddDouble(&m, f, v) : r->SetDouble(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        float v = Pick<float>({0.0f, 0.1f, -3.5f, 1e30f});
        rep ? r->AddFloat(&m, f, v) : r->SetFloat(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        rep ? r->AddBool(&m, f, Coin()) : r->SetBool(&m, f, Coin());
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* e = f->enum_type()->value(
            static_cast<int>(rng_() % f->enum_type()->value_count()));
        rep ? r->AddEnum(&m, f, e) : r->SetEnum(&m, f, e);
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v =
            f->type() == FieldDescriptor::TYPE_BYTES
                ? std::string("\0\xff\x01 bytes", 10)
                : Pick<std::string>({"", "钱塘示范县", "quote \" back \\ slash",
                                     "new\nline\ttab\x01\x1f", "</script>",
                                     "emoji 😀", "counties/330106"});
        rep ? r->AddString(&m, f, v) : r->SetString(&m, f, v);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (depth > 3) return;
        Message* child = rep ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
        Fill(*child, depth + 1);
        break;
      }
    }
  }

  std::mt19937 rng_;
};

std::vector<const Descriptor*> ApiMessages() {
  std::vector<const Descriptor*> out;
  for (const auto* file : {v1::CountyEvaluation::descriptor()->file(),
                           v1::Evidence::descriptor()->file(),
                           v1::RectificationPlan::descriptor()->file(),
                           v1::IndicatorStandard::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      out.push_back(file->message_type(i));
    }
  }
  return out;
}

TEST(WebJsonTest, EveryApiMessageRoundTripsThroughProtobufsParser) {
  google::protobuf::DynamicMessageFactory unused;
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  int checked = 0;
  for (const Descriptor* d : ApiMessages()) {
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      std::unique_ptr<Message> m(factory->GetPrototype(d)->New());
      Filler(seed * 7919 + d->index()).Fill(*m, 0);
      std::string json;
      AppendJson(*m, &json);
      std::unique_ptr<Message> back(factory->GetPrototype(d)->New());
      const auto status =
          google::protobuf::util::JsonStringToMessage(json, back.get());
      ASSERT_TRUE(status.ok())
          << d->full_name() << ": " << status.ToString() << "\n"
          << json.substr(0, 2000);
      google::protobuf::util::MessageDifferencer diff;
      std::string report;
      diff.ReportDifferencesToString(&report);
      EXPECT_TRUE(diff.Compare(*m, *back)) << d->full_name() << "\n"
                                           << report << "\n"
                                           << json.substr(0, 2000);
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(WebJsonTest, PrintsTheStandardFormsIntegratorsRelyOn) {
  v1::EvidenceVersion v;
  v.set_name("counties/330106/schools/2133010601/evidence/r4/versions/2");
  v.set_version(2);
  v.set_size_bytes(int64_t{1} << 40);
  v.mutable_create_time()->set_seconds(1767225600);
  v.mutable_create_time()->set_nanos(120000000);
  std::string json;
  AppendJson(v, &json);
  // lowerCamelCase names, 64-bit integers as strings, RFC 3339 times, and
  // empty strings printed rather than left out.
  EXPECT_THAT(json, HasSubstr(R"("sizeBytes":"1099511627776")"));
  EXPECT_THAT(json, HasSubstr(R"("version":"2")"));
  EXPECT_THAT(json, HasSubstr(R"("createTime":"2026-01-01T00:00:00.120Z")"));
  EXPECT_THAT(json, HasSubstr(R"("contentType":"")"));

  v1::UpdateRectificationItemRequest u;
  u.mutable_update_mask()->add_paths("linked_evidence");
  u.mutable_item()->set_status(v1::RectificationItem::IN_PROGRESS);
  json.clear();
  AppendJson(u, &json);
  EXPECT_THAT(json, HasSubstr(R"("updateMask":"linkedEvidence")"));
  EXPECT_THAT(json, HasSubstr(R"("status":"IN_PROGRESS")"));

  v1::UploadRequest chunk;
  chunk.set_chunk(std::string("\x00\xff", 2));
  json.clear();
  AppendJson(chunk, &json);
  EXPECT_EQ(json, R"({"chunk":"AP8="})");  // oneof: only the member set

  v1::Measurement m;
  m.set_value(0.1);
  json.clear();
  AppendJson(m, &json);
  EXPECT_THAT(json, HasSubstr(R"("value":0.1)"));
}

}  // namespace
}  // namespace junheng::web
