#include "checklist_service/standard/standard_loader.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/standard/standard_check.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

// Keeps the parser's first error; later ones are usually its consequences.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (has_error_) return;
    has_error_ = true;
    line_ = line;
    column_ = column;
    message_ = message;
  }
  bool has_error() const { return has_error_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

// "line:column: message", 1-based. Protobuf reports an unknown enum value at
// the token after it, often on the next line; point at the value itself.
std::string ParseErrorText(const std::string& text,
                           const FirstErrorCollector& errors) {
  int line = errors.line();
  int column = errors.column();
  constexpr absl::string_view kUnknownEnum = "Unknown enumeration value of \"";
  const std::string& message = errors.message();
  if (absl::StartsWith(message, kUnknownEnum)) {
    const size_t start = kUnknownEnum.size();
    const std::string value =
        message.substr(start, message.find('"', start) - start);
    size_t offset = 0;
    for (int l = 0; l < line && offset != std::string::npos; ++l) {
      offset = text.find('\n', offset);
      if (offset != std::string::npos) ++offset;
    }
    if (offset != std::string::npos) {
      const size_t at = text.rfind(value, offset + column);
      if (!value.empty() && at != std::string::npos) {
        line =
            static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
        const size_t line_start = text.rfind('\n', at);
        column = static_cast<int>(
            line_start == std::string::npos ? at : at - line_start - 1);
      }
    }
  }
  return absl::StrCat(line + 1, ":", column + 1, ": ", message);
}

struct ParsedFile {
  std::string path;
  v1::IndicatorStandard message;
  std::unique_ptr<TextFormat::ParseInfoTree> tree;
};

// A 0-based position as protobuf reports it; line -1 when unknown.
struct Position {
  int line = -1;
  int column = -1;
};

// The position of the deepest field of `path` present in `file`; `exact`
// says whether that is the last field of the path.
Position Locate(const ParsedFile& file, const FieldPath& path,
                bool* exact = nullptr) {
  const TextFormat::ParseInfoTree* tree = file.tree.get();
  const Descriptor* descriptor = v1::IndicatorStandard::descriptor();
  Position best;
  size_t found = 0;
  for (const FieldPathSegment& segment : path) {
    if (tree == nullptr || descriptor == nullptr) break;
    const FieldDescriptor* field = descriptor->FindFieldByName(segment.field);
    if (field == nullptr) break;
    const int index = field->is_repeated() ? std::max(0, segment.index) : -1;
    const TextFormat::ParseLocation location = tree->GetLocation(field, index);
    if (location.line < 0) break;
    best = {location.line, location.column};
    ++found;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) break;
    tree = tree->GetTreeForNested(field, index);
    descriptor = field->message_type();
  }
  if (exact != nullptr) *exact = found == path.size();
  return best;
}

std::string At(const ParsedFile& file, Position position) {
  // A field that is absent altogether is reported at the top of the file.
  if (position.line < 0) position = {0, 0};
  return absl::StrCat(file.path, ":", position.line + 1, ":",
                      position.column + 1);
}

std::string Error(const ParsedFile& file, const FieldPath& path,
                  absl::string_view message) {
  return absl::StrCat(At(file, Locate(file, path)), ": ", FieldPathString(path),
                      ": ", message);
}

// Where each part of a resolved standard was written: for the entries of its
// repeated fields, the files and entry indexes, the variant's first; for its
// singular messages, the file that stated them.
struct Origin {
  const ParsedFile* file;
  int index;
};
struct Resolved {
  v1::IndicatorStandard standard;
  const ParsedFile* top = nullptr;
  std::vector<std::vector<Origin>> indicators;
  std::vector<std::vector<Origin>> areas;
  std::vector<std::vector<Origin>> veto_items;
  absl::flat_hash_map<std::string, const ParsedFile*> singular;
};

// Turns a problem of a resolved standard into "file:line:col: field: …",
// pointing into the file that wrote the offending entry.
std::string Describe(const Resolved& resolved, const StandardProblem& problem) {
  const FieldPath& path = problem.path;
  const std::vector<std::vector<Origin>>* origins = nullptr;
  if (!path.empty() && path[0].index >= 0) {
    if (path[0].field == "indicators") origins = &resolved.indicators;
    if (path[0].field == "areas") origins = &resolved.areas;
    if (path[0].field == "veto_items") origins = &resolved.veto_items;
  }
  if (origins == nullptr ||
      path[0].index >= static_cast<int>(origins->size())) {
    const ParsedFile* file = resolved.top;
    if (!path.empty()) {
      auto it = resolved.singular.find(path[0].field);
      if (it != resolved.singular.end()) file = it->second;
    }
    return absl::StrCat(Error(*file, path, problem.message));
  }
  const std::vector<Origin>& candidates = (*origins)[path[0].index];
  const ParsedFile* fallback_file = candidates.front().file;
  Position fallback;
  for (const Origin& origin : candidates) {
    FieldPath local = path;
    local[0].index = origin.index;
    // A merged indicator's thresholds are renumbered; find this one in the
    // file by its (level, measure).
    if (path[0].field == "indicators" && path.size() > 1 &&
        path[1].field == "thresholds" && path[1].index >= 0) {
      const v1::Threshold& wanted =
          resolved.standard.indicators(path[0].index).thresholds(path[1].index);
      const v1::Indicator& entry =
          origin.file->message.indicators(origin.index);
      int found = -1;
      for (int t = 0; t < entry.thresholds_size(); ++t) {
        if (entry.thresholds(t).level() == wanted.level() &&
            entry.thresholds(t).measure() == wanted.measure()) {
          found = t;
        }
      }
      if (found < 0) {
        if (fallback.line < 0) {
          fallback = Locate(*origin.file, {local[0]});
          fallback_file = origin.file;
        }
        continue;
      }
      local[1].index = found;
    }
    bool exact = false;
    const Position position = Locate(*origin.file, local, &exact);
    if (exact) {
      return absl::StrCat(At(*origin.file, position), ": ",
                          FieldPathString(path), ": ", problem.message);
    }
    if (fallback.line < 0) {
      fallback = position;
      fallback_file = origin.file;
    }
  }
  return absl::StrCat(At(*fallback_file, fallback), ": ", FieldPathString(path),
                      ": ", problem.message);
}

absl::StatusOr<std::unique_ptr<ParsedFile>> Parse(
    const StandardSource& source) {
  auto file = std::make_unique<ParsedFile>();
  file->path = source.path;
  file->tree = std::make_unique<TextFormat::ParseInfoTree>();
  FirstErrorCollector errors;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(file->tree.get());
  if (!parser.ParseFromString(source.text, &file->message)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.path, ":",
                     errors.has_error() ? ParseErrorText(source.text, errors)
                                        : std::string("1:1: parse error")));
  }
  return file;
}

// Duplicates within one file, found before merging would hide them.
void CheckDuplicates(const ParsedFile& file, std::vector<std::string>& errors) {
  const v1::IndicatorStandard& s = file.message;
  absl::flat_hash_set<std::string> codes;
  for (int i = 0; i < s.indicators_size(); ++i) {
    const v1::Indicator& indicator = s.indicators(i);
    if (!indicator.code().empty() && !codes.insert(indicator.code()).second) {
      errors.push_back(
          Error(file, {{"indicators", i}, {"code", -1}},
                absl::StrCat("duplicate code \"", indicator.code(), "\"")));
    }
    std::set<std::pair<int, std::string>> thresholds;
    for (int t = 0; t < indicator.thresholds_size(); ++t) {
      const v1::Threshold& threshold = indicator.thresholds(t);
      if (!thresholds
               .insert(
                   {static_cast<int>(threshold.level()), threshold.measure()})
               .second) {
        errors.push_back(
            Error(file, {{"indicators", i}, {"thresholds", t}, {"level", -1}},
                  absl::StrCat(
                      indicator.code(), ": duplicate threshold for ",
                      v1::Level_IsValid(threshold.level())
                          ? v1::Level_Name(threshold.level())
                          : absl::StrCat(static_cast<int>(threshold.level())),
                      threshold.measure().empty()
                          ? ""
                          : absl::StrCat(" \"", threshold.measure(), "\""))));
      }
    }
  }
  for (int i = 0; i < s.veto_items_size(); ++i) {
    const std::string& code = s.veto_items(i).code();
    if (!code.empty() && !codes.insert(code).second) {
      errors.push_back(Error(file, {{"veto_items", i}, {"code", -1}},
                             absl::StrCat("duplicate code \"", code, "\"")));
    }
  }
  absl::flat_hash_set<std::string> areas;
  for (int i = 0; i < s.areas_size(); ++i) {
    const std::string& code = s.areas(i).code();
    if (!code.empty() && !areas.insert(code).second) {
      errors.push_back(
          Error(file, {{"areas", i}, {"code", -1}},
                absl::StrCat("duplicate area code \"", code, "\"")));
    }
  }
}

// Applies a variant's entry for an existing indicator (see standard.proto).
void MergeIndicator(const v1::Indicator& update, v1::Indicator& target) {
  auto set_string = [](const std::string& value, std::string* field) {
    if (!value.empty()) *field = value;
  };
  set_string(update.name_zh(), target.mutable_name_zh());
  set_string(update.name_en(), target.mutable_name_en());
  set_string(update.area(), target.mutable_area());
  set_string(update.unit(), target.mutable_unit());
  set_string(update.description(), target.mutable_description());
  if (update.scope() != v1::SCOPE_UNSPECIFIED) target.set_scope(update.scope());
  if (update.formula() != v1::FORMULA_UNSPECIFIED) {
    target.set_formula(update.formula());
  }
  if (update.school_coverage() != v1::SCHOOL_COVERAGE_UNSPECIFIED) {
    target.set_school_coverage(update.school_coverage());
  }
  // A variant may add a requirement, never drop one.
  if (update.needs_judgement()) target.set_needs_judgement(true);
  if (update.difference_coefficient()) target.set_difference_coefficient(true);
  for (const v1::Threshold& threshold : update.thresholds()) {
    v1::Threshold* existing = nullptr;
    for (v1::Threshold& candidate : *target.mutable_thresholds()) {
      if (candidate.level() == threshold.level() &&
          candidate.measure() == threshold.measure()) {
        existing = &candidate;
      }
    }
    *(existing != nullptr ? existing : target.add_thresholds()) = threshold;
  }
  if (update.evidence_size() > 0)
    *target.mutable_evidence() = update.evidence();
}

// Adds or replaces the entries of one repeated field by code.
template <typename Entry, typename Merge>
void MergeByCode(const ParsedFile& file,
                 const google::protobuf::RepeatedPtrField<Entry>& updates,
                 google::protobuf::RepeatedPtrField<Entry>& targets,
                 std::vector<std::vector<Origin>>& origins, Merge merge) {
  for (int i = 0; i < updates.size(); ++i) {
    const Entry& update = updates.Get(i);
    int found = -1;
    for (int k = 0; k < targets.size(); ++k) {
      if (targets.Get(k).code() == update.code()) found = k;
    }
    if (found < 0) {
      *targets.Add() = update;
      origins.push_back({{&file, i}});
    } else {
      merge(update, *targets.Mutable(found));
      origins[found].insert(origins[found].begin(), Origin{&file, i});
    }
  }
}

class Resolver {
 public:
  Resolver(const std::vector<std::unique_ptr<ParsedFile>>& files,
           std::vector<std::string>& errors)
      : errors_(errors) {
    for (const auto& file : files) by_id_[file->message.id()] = file.get();
  }

  // The resolved standard of `file`, or nullptr after recording an error.
  const Resolved* Resolve(const ParsedFile& file) {
    if (auto it = done_.find(&file); it != done_.end()) return it->second.get();
    const v1::IndicatorStandard& s = file.message;
    auto resolved = std::make_unique<Resolved>();
    resolved->top = &file;
    if (s.base_standard_id().empty()) {
      resolved->standard = s;
      for (int i = 0; i < s.indicators_size(); ++i) {
        resolved->indicators.push_back({{&file, i}});
      }
      for (int i = 0; i < s.areas_size(); ++i) {
        resolved->areas.push_back({{&file, i}});
      }
      for (int i = 0; i < s.veto_items_size(); ++i) {
        resolved->veto_items.push_back({{&file, i}});
      }
    } else {
      const FieldPath at = {{"base_standard_id", -1}};
      auto base_it = by_id_.find(s.base_standard_id());
      if (base_it == by_id_.end()) {
        errors_.push_back(Error(file, at,
                                absl::StrCat("unknown base standard \"",
                                             s.base_standard_id(), "\"")));
        return nullptr;
      }
      if (!visiting_.insert(&file).second) {
        errors_.push_back(
            Error(file, at,
                  absl::StrCat("base standards form a cycle through \"", s.id(),
                               "\"")));
        return nullptr;
      }
      const Resolved* base = Resolve(*base_it->second);
      visiting_.erase(&file);
      if (base == nullptr) return nullptr;
      *resolved = *base;
      resolved->top = &file;
      MergeVariant(file, *resolved);
    }
    return (done_[&file] = std::move(resolved)).get();
  }

 private:
  static void MergeVariant(const ParsedFile& file, Resolved& r) {
    const v1::IndicatorStandard& s = file.message;
    v1::IndicatorStandard& t = r.standard;
    t.set_id(s.id());
    t.set_base_standard_id(s.base_standard_id());
    if (!s.name_zh().empty()) t.set_name_zh(s.name_zh());
    if (!s.name_en().empty()) t.set_name_en(s.name_en());
    t.set_document_number(s.document_number());
    if (s.issued_year() != 0) t.set_issued_year(s.issued_year());
    if (!s.description().empty()) t.set_description(s.description());
    MergeByCode(file, s.areas(), *t.mutable_areas(), r.areas,
                [](const v1::Area& u, v1::Area& a) { a = u; });
    MergeByCode(file, s.indicators(), *t.mutable_indicators(), r.indicators,
                MergeIndicator);
    MergeByCode(file, s.veto_items(), *t.mutable_veto_items(), r.veto_items,
                [](const v1::VetoItem& u, v1::VetoItem& v) { v = u; });
    if (s.has_school_rule()) {
      *t.mutable_school_rule() = s.school_rule();
      r.singular["school_rule"] = &file;
    }
    if (s.has_coefficient_rule()) {
      *t.mutable_coefficient_rule() = s.coefficient_rule();
      r.singular["coefficient_rule"] = &file;
    }
    if (s.has_parameters()) {
      *t.mutable_parameters() = s.parameters();
      r.singular["parameters"] = &file;
    }
  }

  std::vector<std::string>& errors_;
  absl::flat_hash_map<std::string, const ParsedFile*> by_id_;
  absl::flat_hash_map<const ParsedFile*, std::unique_ptr<Resolved>> done_;
  absl::flat_hash_set<const ParsedFile*> visiting_;
};

absl::Status Failure(const std::vector<std::string>& errors) {
  // Problems inherited by a variant repeat its base's; report each once.
  std::vector<std::string> unique;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& error : errors) {
    if (seen.insert(error).second) unique.push_back(error);
  }
  return absl::InvalidArgumentError(absl::StrJoin(unique, "\n"));
}

}  // namespace

absl::StatusOr<StandardMap> LoadStandards(
    const std::vector<StandardSource>& sources) {
  std::vector<std::unique_ptr<ParsedFile>> files;
  std::vector<std::string> errors;
  for (const StandardSource& source : sources) {
    absl::StatusOr<std::unique_ptr<ParsedFile>> file = Parse(source);
    if (!file.ok()) {
      errors.push_back(std::string(file.status().message()));
      continue;
    }
    files.push_back(*std::move(file));
  }
  if (!errors.empty()) return Failure(errors);

  absl::flat_hash_map<std::string, const ParsedFile*> ids;
  for (const auto& file : files) {
    CheckDuplicates(*file, errors);
    const std::string& id = file->message.id();
    if (id.empty()) {
      errors.push_back(Error(*file, {{"id", -1}}, "missing standard id"));
    } else if (auto [it, inserted] = ids.emplace(id, file.get()); !inserted) {
      errors.push_back(
          Error(*file, {{"id", -1}},
                absl::StrCat("duplicate standard id \"", id, "\" (also in ",
                             it->second->path, ")")));
    }
  }
  if (!errors.empty()) return Failure(errors);

  Resolver resolver(files, errors);
  StandardMap standards;
  for (const auto& file : files) {
    const Resolved* resolved = resolver.Resolve(*file);
    if (resolved == nullptr) continue;
    for (const StandardProblem& problem : FindProblems(resolved->standard)) {
      errors.push_back(Describe(*resolved, problem));
    }
    standards[file->message.id()] = resolved->standard;
  }
  if (!errors.empty()) return Failure(errors);
  return standards;
}

absl::StatusOr<v1::IndicatorStandard> LoadStandard(absl::string_view path,
                                                   absl::string_view text) {
  absl::StatusOr<StandardMap> standards =
      LoadStandards({{std::string(path), std::string(text)}});
  if (!standards.ok()) return standards.status();
  return std::move(standards->begin()->second);
}

absl::StatusOr<std::vector<StandardSource>> ReadStandardSources(
    absl::string_view directory) {
  namespace fs = std::filesystem;
  const fs::path dir{std::string(directory)};
  std::error_code ec;
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".textproto") paths.push_back(it->path());
  }
  if (ec) {
    return absl::ErrnoToStatus(
        ec.value(), absl::StrCat("reading ", std::string(directory)));
  }
  if (paths.empty()) {
    return absl::NotFoundError(absl::StrCat("no *.textproto standard files in ",
                                            std::string(directory)));
  }
  std::sort(paths.begin(), paths.end());
  std::vector<StandardSource> sources;
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat("opening ", path.string()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat("reading ", path.string()));
    }
    sources.push_back({path.string(), text.str()});
  }
  return sources;
}

absl::StatusOr<StandardMap> LoadStandardsDirectory(
    absl::string_view directory) {
  absl::StatusOr<std::vector<StandardSource>> sources =
      ReadStandardSources(directory);
  if (!sources.ok()) return sources.status();
  return LoadStandards(*sources);
}

}  // namespace junheng::checklist
