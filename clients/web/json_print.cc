#include "clients/web/json_print.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace junheng::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

template <typename Float>
void AppendFloat(Float v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    // The shortest text that reads back as the same value.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, end);
  }
}

// 0, 3, 6 or 9 fractional digits, as protobuf prints them.
void AppendNanos(int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  if (nanos % 1000000 == 0) {
    absl::StrAppendFormat(out, ".%03d", nanos / 1000000);
  } else if (nanos % 1000 == 0) {
    absl::StrAppendFormat(out, ".%06d", nanos / 1000);
  } else {
    absl::StrAppendFormat(out, ".%09d", nanos);
  }
}

void AppendMessage(const Message& m, std::string* out);

void AppendValue(const Message& m, const FieldDescriptor* f, int index,
                 std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(
          out, "\"", rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f),
          "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          out, "\"",
          rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), "\"");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f),
                  out);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f),
                  out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                      ? "true"
                      : "false");
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number =
          rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      if (f->enum_type()->full_name() == "google.protobuf.NullValue") {
        out->append("null");
        break;
      }
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendString(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s =
          rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
              : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        AppendString(absl::Base64Escape(s), out);
      } else {
        AppendString(s, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(
          rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), out);
      break;
  }
}

// A map key: always a JSON string.
void AppendKey(const Message& entry, const FieldDescriptor* key,
               std::string* out) {
  if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    AppendValue(entry, key, -1, out);
    return;
  }
  std::string text;
  AppendValue(entry, key, -1, &text);
  if (!text.empty() && text.front() == '"') {
    out->append(text);
  } else {
    AppendString(text, out);
  }
}

// The well-known types with a JSON form of their own; false for others.
bool AppendWellKnown(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const std::string& name = d->full_name();
  if (!absl::StartsWith(name, "google.protobuf.")) return false;
  const Reflection* r = m.GetReflection();
  if (name == "google.protobuf.Timestamp") {
    const int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
    const int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
    std::string text =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(seconds),
                         absl::UTCTimeZone());
    AppendNanos(nanos, &text);
    text.push_back('Z');
    AppendString(text, out);
    return true;
  }
  if (name == "google.protobuf.Duration") {
    int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
    int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
    std::string text;
    if (seconds < 0 || nanos < 0) {
      text = "-";
      seconds = -seconds;
      nanos = -nanos;
    }
    absl::StrAppend(&text, seconds);
    AppendNanos(nanos, &text);
    text.push_back('s');
    AppendString(text, out);
    return true;
  }
  if (name == "google.protobuf.FieldMask") {
    const FieldDescriptor* paths = d->FindFieldByName("paths");
    std::string text;
    for (int i = 0; i < r->FieldSize(m, paths); ++i) {
      absl::StrAppend(&text, i ? "," : "",
                      LowerCamelCase(r->GetRepeatedString(m, paths, i)));
    }
    AppendString(text, out);
    return true;
  }
  if (absl::EndsWith(name, "Value") && name != "google.protobuf.Value" &&
      name != "google.protobuf.ListValue" && d->field_count() == 1) {
    AppendValue(m, d->field(0), -1, out);  // the wrappers
    return true;
  }
  if (name == "google.protobuf.Struct" || name == "google.protobuf.Value" ||
      name == "google.protobuf.ListValue" || name == "google.protobuf.Any" ||
      name == "google.protobuf.Empty") {
    // Rare here (error details are printed elsewhere): the library's own
    // printer, which knows their every rule.
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(m, &text);
    out->append(text.empty() ? "{}" : text);
    return true;
  }
  return false;
}

void AppendMessage(const Message& m, std::string* out) {
  if (AppendWellKnown(m, out)) return;
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      // printed even when empty
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
               f->has_presence()) {
      // Message fields, oneof members and proto3 `optional` fields only
      // when set.
      if (!r->HasField(m, f)) continue;
    }
    if (!first) out->push_back(',');
    first = false;
    AppendString(f->json_name(), out);
    out->push_back(':');
    if (f->is_map()) {
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* value = f->message_type()->map_value();
      out->push_back('{');
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        const Message& entry = r->GetRepeatedMessage(m, f, j);
        if (j) out->push_back(',');
        AppendKey(entry, key, out);
        out->push_back(':');
        AppendValue(entry, value, -1, out);
      }
      out->push_back('}');
    } else if (f->is_repeated()) {
      out->push_back('[');
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        if (j) out->push_back(',');
        AppendValue(m, f, j, out);
      }
      out->push_back(']');
    } else {
      AppendValue(m, f, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace

void AppendJson(const Message& message, std::string* out) {
  AppendMessage(message, out);
}

void AppendJsonString(absl::string_view text, std::string* out) {
  AppendString(text, out);
}

std::string LowerCamelCase(absl::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out.push_back(upper ? absl::ascii_toupper(c) : c);
      upper = false;
    }
  }
  return out;
}

}  // namespace junheng::web
