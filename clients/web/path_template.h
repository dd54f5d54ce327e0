// The path templates of google.api.http rules (AIP-127):
//
//   /v1/{name=counties/*/years/*}:evaluate
//   /v1/{parent=counties/*/schools/*}/evidence
//   /v1/{header.parent=counties/*}/evidence/{header.evidence_id}:upload
//
// A variable binds a request field (a dotted path) to one or more segments;
// `{f}` alone is `{f=*}`. `*` matches one segment, `**` the rest of the path.
// The verb (":evaluate") belongs to the whole path, not to its last segment.
#ifndef JUNHENG_CLIENTS_WEB_PATH_TEMPLATE_H_
#define JUNHENG_CLIENTS_WEB_PATH_TEMPLATE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace junheng::web {

class PathTemplate {
 public:
  struct Segment {
    enum class Kind { kLiteral, kStar, kDoubleStar };
    Kind kind = Kind::kLiteral;
    std::string literal;
  };
  struct Variable {
    std::string field_path;  // "name", "header.parent"
    int first = 0;           // index of its first segment
    int end = 0;             // one past its last segment
  };
  // A matched request path: each variable's field path and the segments it
  // covered, joined by '/'.
  using Bindings = std::vector<std::pair<std::string, std::string>>;

  // INVALID_ARGUMENT for a template that does not follow the grammar.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // The bindings if `path` (already percent-decoded, starting with '/')
  // matches, else nothing.
  std::optional<Bindings> Match(absl::string_view path) const;

  const std::string& text() const { return text_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Variable>& variables() const { return variables_; }
  const std::string& verb() const { return verb_; }

 private:
  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_PATH_TEMPLATE_H_
