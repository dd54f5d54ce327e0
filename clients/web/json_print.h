// Protobuf's JSON mapping, printed straight from reflection. The library's
// own printer (util::MessageToJsonString) serializes to the wire format and
// re-parses it through a type resolver: about 10 ms for a 40-school county
// evaluation, ten times the whole gRPC call. This one walks the message
// once. The output parses back with util::JsonStringToMessage to the same
// message (tests/web_json_test.cc); it prints what
// always_print_primitive_fields prints: every scalar, enum, repeated and
// map field, set or not, and message fields only when set.
#ifndef JUNHENG_CLIENTS_WEB_JSON_PRINT_H_
#define JUNHENG_CLIENTS_WEB_JSON_PRINT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace junheng::web {

void AppendJson(const google::protobuf::Message& message, std::string* out);

// A JSON string literal, quotes included, escaped as JSON requires.
void AppendJsonString(absl::string_view text, std::string* out);

// "linked_evidence" → "linkedEvidence": protobuf's JSON name of a field.
std::string LowerCamelCase(absl::string_view snake);

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_JSON_PRINT_H_
