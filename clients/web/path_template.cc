#include "clients/web/path_template.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace junheng::web {
namespace {

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("path template \"", text, "\": ", why));
}

bool IsFieldPath(absl::string_view s) {
  if (s.empty()) return false;
  for (absl::string_view part : absl::StrSplit(s, '.')) {
    if (part.empty()) return false;
    for (char c : part) {
      if (!(absl::ascii_isalnum(c) || c == '_')) return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  if (!absl::StartsWith(text, "/")) return Bad(text, "must start with '/'");
  absl::string_view rest = text.substr(1);
  // The verb follows the last ':' that is outside braces.
  int depth = 0;
  size_t verb_at = absl::string_view::npos;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '{') ++depth;
    if (rest[i] == '}') --depth;
    if (rest[i] == ':' && depth == 0) verb_at = i;
  }
  if (verb_at != absl::string_view::npos) {
    t.verb_ = std::string(rest.substr(verb_at + 1));
    rest = rest.substr(0, verb_at);
    if (t.verb_.empty()) return Bad(text, "empty verb");
  }
  // Split on '/' outside braces.
  std::vector<std::string> parts;
  std::string current;
  depth = 0;
  for (char c : rest) {
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (depth < 0 || depth > 1) return Bad(text, "unbalanced braces");
    if (c == '/' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (depth != 0) return Bad(text, "unbalanced braces");
  parts.push_back(current);

  auto add_segment = [&](absl::string_view s) -> absl::Status {
    if (s.empty()) return Bad(text, "empty segment");
    Segment seg;
    if (s == "*") {
      seg.kind = Segment::Kind::kStar;
    } else if (s == "**") {
      seg.kind = Segment::Kind::kDoubleStar;
    } else {
      if (s.find_first_of("{}*=") != absl::string_view::npos) {
        return Bad(text, absl::StrCat("bad segment \"", s, "\""));
      }
      seg.literal = std::string(s);
    }
    t.segments_.push_back(std::move(seg));
    return absl::OkStatus();
  };

  for (const std::string& part : parts) {
    if (!part.empty() && part.front() == '{') {
      if (part.back() != '}') return Bad(text, "text after a variable");
      absl::string_view inner(part);
      inner = inner.substr(1, inner.size() - 2);
      Variable v;
      absl::string_view sub = "*";
      if (size_t eq = inner.find('='); eq != absl::string_view::npos) {
        sub = inner.substr(eq + 1);
        inner = inner.substr(0, eq);
      }
      if (!IsFieldPath(inner)) {
        return Bad(text, absl::StrCat("bad field path \"", inner, "\""));
      }
      v.field_path = std::string(inner);
      v.first = static_cast<int>(t.segments_.size());
      for (absl::string_view s : absl::StrSplit(sub, '/')) {
        if (absl::Status st = add_segment(s); !st.ok()) return st;
      }
      v.end = static_cast<int>(t.segments_.size());
      t.variables_.push_back(std::move(v));
    } else {
      if (absl::Status st = add_segment(part); !st.ok()) return st;
    }
  }
  for (size_t i = 0; i + 1 < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == Segment::Kind::kDoubleStar) {
      return Bad(text, "'**' must be the last segment");
    }
  }
  return t;
}

std::optional<PathTemplate::Bindings> PathTemplate::Match(
    absl::string_view path) const {
  if (!absl::StartsWith(path, "/")) return std::nullopt;
  path.remove_prefix(1);
  if (!verb_.empty()) {
    const std::string suffix = absl::StrCat(":", verb_);
    if (!absl::EndsWith(path, suffix)) return std::nullopt;
    path.remove_suffix(suffix.size());
  } else if (path.find(':') != absl::string_view::npos) {
    // A custom method's path never matches a standard method's template.
    return std::nullopt;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  const bool tail =
      !segments_.empty() && segments_.back().kind == Segment::Kind::kDoubleStar;
  if (tail ? parts.size() < segments_.size()
           : parts.size() != segments_.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (parts[i].empty()) return std::nullopt;
    if (s.kind == Segment::Kind::kLiteral && parts[i] != s.literal) {
      return std::nullopt;
    }
  }
  Bindings bindings;
  for (const Variable& v : variables_) {
    const size_t end = (tail && v.end == static_cast<int>(segments_.size()))
                           ? parts.size()
                           : static_cast<size_t>(v.end);
    std::vector<absl::string_view> covered(parts.begin() + v.first,
                                           parts.begin() + end);
    bindings.emplace_back(v.field_path, absl::StrJoin(covered, "/"));
  }
  return bindings;
}

}  // namespace junheng::web
