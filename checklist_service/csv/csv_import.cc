#include "checklist_service/csv/csv_import.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "checklist_service/csv/csv_reader.h"
#include "common/utf8.h"

namespace junheng::checklist::csv {
namespace {

// ---------------------------------------------------------------- cells

// How a cell is spelt and checked; each kind stores into one C++ type.
enum class Kind {
  kCountyCode,       // string, 6 digits
  kSchoolCode,       // string, 10 digits
  kProvinceCode,     // string, 2 digits
  kName,             // string, UTF-8 text
  kYear,             // int
  kMonitoringLevel,  // int64_t, 1..4
  kCount,            // int64_t, whole and non-negative
  kAmount,           // double, non-negative
  kFraction,         // double, 0..1
  kBool,             // bool
  kSchoolType,       // SchoolType
  kLocation,         // Location
};

// Where a cell goes: a member the file must give (required columns) or one
// it may leave blank.
using Target = std::variant<std::string*, int*, SchoolType*,
                            std::optional<int64_t>*, std::optional<double>*,
                            std::optional<bool>*, std::optional<Location>*>;

// In the order error messages list them.
constexpr SchoolType kSchoolTypes[] = {
    SchoolType::kPrimary,    SchoolType::kJunior,        SchoolType::kNineYear,
    SchoolType::kTwelveYear, SchoolType::kTeachingPoint, SchoolType::kSpecial,
};

constexpr Location kLocations[] = {Location::kUrban, Location::kTown,
                                   Location::kRural};

// The cell as it goes into a message: quoted, shortened, and escaped when it
// is not UTF-8 so the message itself stays valid UTF-8.
std::string Quote(absl::string_view cell) {
  constexpr size_t kMaxShown = 60;
  if (!IsValidUtf8(cell)) {
    // Escaping quadruples a byte: shorten first, or one cell of binary
    // makes a message of megabytes.
    return absl::StrCat("\"", absl::CHexEscape(cell.substr(0, kMaxShown)),
                        cell.size() > kMaxShown ? "…\"" : "\"");
  }
  if (cell.size() <= kMaxShown) return absl::StrCat("\"", cell, "\"");
  size_t cut = kMaxShown;
  while (cut > 0 && (static_cast<unsigned char>(cell[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return absl::StrCat("\"", cell.substr(0, cut), "…\"");
}

std::string Num(double v) { return absl::StrFormat("%.15g", v); }

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

template <typename T>
bool Store(Target target, T value) {
  return std::visit(
      [&value](auto* slot) {
        using Slot = std::remove_pointer_t<decltype(slot)>;
        if constexpr (std::is_same_v<Slot, T> ||
                      std::is_same_v<Slot, std::optional<T>>) {
          *slot = std::move(value);
          return true;
        } else {
          return false;
        }
      },
      target);
}

using Reason = std::optional<std::string>;

Reason CheckCode(absl::string_view cell, size_t digits) {
  if (cell.size() == digits && AllDigits(cell)) return std::nullopt;
  std::string reason =
      absl::StrFormat("expected %d digits, got %s", digits, Quote(cell));
  if (absl::StrContains(cell, "E+") || absl::StrContains(cell, "e+")) {
    absl::StrAppend(&reason,
                    "; a spreadsheet turned the code into a number, format "
                    "the column as text");
  }
  return reason;
}

// The significant digits of a number's mantissa: from the first non-zero
// digit to the last.
int SignificantDigits(absl::string_view cell) {
  int significant = 0;
  int zeros = 0;
  for (char c : cell) {
    if (c == 'e' || c == 'E') break;
    if (!absl::ascii_isdigit(c)) continue;
    if (c == '0') {
      if (significant > 0) ++zeros;
      continue;
    }
    significant += zeros + 1;
    zeros = 0;
  }
  return significant;
}

// Plain decimal notation, as the contract asks; exponents are let through
// because spreadsheets write large amounts that way.
Reason ParseNumber(absl::string_view cell, double* out) {
  if (absl::StrContains(cell, ',')) {
    return absl::StrCat(
        "expected a number with a dot as decimal separator "
        "and no thousands separators, got ",
        Quote(cell));
  }
  const bool number_chars =
      std::any_of(cell.begin(), cell.end(), absl::ascii_isdigit) &&
      std::all_of(cell.begin(), cell.end(), [](char c) {
        return absl::ascii_isdigit(c) || c == '.' || c == '-' || c == '+' ||
               c == 'e' || c == 'E';
      });
  if (!number_chars || !absl::SimpleAtod(cell, out) || !std::isfinite(*out)) {
    return absl::StrCat("expected a number, got ", Quote(cell));
  }
  if (*out < 0) return absl::StrCat("must not be negative, got ", Quote(cell));
  if (SignificantDigits(cell) > kMaxSignificantDigits) {
    return absl::StrCat("has more than ", kMaxSignificantDigits,
                        " significant digits, got ", Quote(cell),
                        "; round it to the precision it was measured to "
                        "(yuan to the fen, m² to 0.01)");
  }
  *out += 0.0;  // -0 becomes 0
  return std::nullopt;
}

Reason ParseCount(absl::string_view cell, int64_t* out) {
  if (AllDigits(cell)) {
    if (!absl::SimpleAtoi(cell, out)) {
      return absl::StrCat("number too large: ", Quote(cell));
    }
    return std::nullopt;
  }
  double d;
  if (Reason reason = ParseNumber(cell, &d)) return reason;
  return absl::StrCat("expected a whole number, got ", Quote(cell));
}

Reason ParseFraction(absl::string_view cell, double* out) {
  if (absl::EndsWith(cell, "%")) {
    return absl::StrCat("write rates as fractions (0.953, not 95.3%), got ",
                        Quote(cell));
  }
  if (Reason reason = ParseNumber(cell, out)) return reason;
  if (*out > 1) {
    return absl::StrCat(
        "a rate is a fraction from 0 to 1 (0.953, not 95.3), got ",
        Quote(cell));
  }
  return std::nullopt;
}

Reason ParseYear(absl::string_view cell, const ImportOptions& options,
                 int* out) {
  if (!AllDigits(cell) || cell.size() > 4) {
    // "2025-2026", "2025/26", "2025–2026": a span rather than its start.
    if (cell.size() > 4 && AllDigits(cell.substr(0, 4)) && cell[4] != '.' &&
        absl::ascii_isdigit(cell.back())) {
      return absl::StrCat(
          "give the school year by its starting year (2025 for 2025-2026), "
          "got ",
          Quote(cell));
    }
    return absl::StrCat("expected a year such as 2025, got ", Quote(cell));
  }
  (void)absl::SimpleAtoi(cell, out);
  if (*out < options.min_year || *out > options.max_year) {
    return absl::StrFormat("year %d is outside %d to %d", *out,
                           options.min_year, options.max_year);
  }
  return std::nullopt;
}

template <typename E, size_t N>
Reason ParseEnum(absl::string_view cell, const E (&values)[N],
                 absl::string_view (*name_of)(E), E* out) {
  // Case is forgiven: spreadsheets like to capitalise.
  const std::string lower = absl::AsciiStrToLower(cell);
  std::vector<absl::string_view> spellings;
  for (const E value : values) {
    const absl::string_view name = name_of(value);
    if (lower == name) {
      *out = value;
      return std::nullopt;
    }
    spellings.push_back(name);
  }
  return absl::StrCat("expected one of ", absl::StrJoin(spellings, ", "),
                      "; got ", Quote(cell));
}

// Stores a non-blank, trimmed cell; the reason it is invalid otherwise.
Reason ParseInto(Kind kind, absl::string_view cell,
                 const ImportOptions& options, Target target) {
  bool stored = false;
  switch (kind) {
    case Kind::kCountyCode:
    case Kind::kSchoolCode:
    case Kind::kProvinceCode: {
      const size_t digits = kind == Kind::kCountyCode   ? 6
                            : kind == Kind::kSchoolCode ? 10
                                                        : 2;
      if (Reason reason = CheckCode(cell, digits)) return reason;
      stored = Store(target, std::string(cell));
      break;
    }
    case Kind::kName:
      if (!IsValidUtf8(cell)) {
        return "not valid UTF-8; save the file as UTF-8 (GBK and other "
               "encodings are not accepted)";
      }
      if (std::any_of(cell.begin(), cell.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
          })) {
        return absl::StrCat("contains a line break or control character: ",
                            Quote(cell));
      }
      stored = Store(target, std::string(cell));
      break;
    case Kind::kYear: {
      int year = 0;
      if (Reason reason = ParseYear(cell, options, &year)) return reason;
      stored = Store(target, year);
      break;
    }
    case Kind::kMonitoringLevel: {
      int64_t level = 0;
      if (cell.size() != 1 || !AllDigits(cell) ||
          !absl::SimpleAtoi(cell, &level) || level < 1 || level > 4) {
        return absl::StrCat("expected a level from 1 to 4 (3 for level III), ",
                            "got ", Quote(cell));
      }
      stored = Store(target, level);
      break;
    }
    case Kind::kCount: {
      int64_t count = 0;
      if (Reason reason = ParseCount(cell, &count)) return reason;
      stored = Store(target, count);
      break;
    }
    case Kind::kAmount: {
      double amount = 0;
      if (Reason reason = ParseNumber(cell, &amount)) return reason;
      stored = Store(target, amount);
      break;
    }
    case Kind::kFraction: {
      double fraction = 0;
      if (Reason reason = ParseFraction(cell, &fraction)) return reason;
      stored = Store(target, fraction);
      break;
    }
    case Kind::kBool: {
      const std::string lower = absl::AsciiStrToLower(cell);
      if (lower != "true" && lower != "false") {
        return absl::StrCat("expected true or false, got ", Quote(cell));
      }
      stored = Store(target, lower == "true");
      break;
    }
    case Kind::kSchoolType: {
      SchoolType type = SchoolType::kPrimary;
      if (Reason reason =
              ParseEnum(cell, kSchoolTypes, &SchoolTypeName, &type)) {
        return reason;
      }
      stored = Store(target, type);
      break;
    }
    case Kind::kLocation: {
      Location location = Location::kUrban;
      if (Reason reason =
              ParseEnum(cell, kLocations, &LocationName, &location)) {
        return reason;
      }
      stored = Store(target, location);
      break;
    }
  }
  if (!stored) return "internal error: column kind and field type disagree";
  return std::nullopt;
}

// ---------------------------------------------------------------- errors

class ErrorList {
 public:
  explicit ErrorList(size_t cap) : cap_(cap) {}

  void Add(int64_t line, std::string column, std::string reason) {
    ++count_;
    if (errors_.size() < cap_) {
      errors_.push_back({line, std::move(column), std::move(reason)});
    }
  }

  // Called once at the end, so that the list says what it left out.
  void Seal() {
    const int64_t omitted = count_ - static_cast<int64_t>(errors_.size());
    if (omitted > 0) {
      errors_.push_back({0, "", absl::StrCat("and ", omitted, " more errors")});
    }
  }

  int64_t count() const { return count_; }
  const std::vector<ImportError>& errors() const { return errors_; }

 private:
  const size_t cap_;
  int64_t count_ = 0;
  std::vector<ImportError> errors_;
};

// What a row check may see and report about the row at hand.
struct RowContext {
  int64_t line;
  // The columns whose cell in this row was not blank, in header order.
  const std::vector<absl::string_view>& filled;
  // Those of them whose cell was valid and is in the row. A check must not
  // read a required member (std::string, int, SchoolType) otherwise: it
  // holds its default.
  const std::vector<absl::string_view>& parsed;
  ErrorList* errors;

  void Add(absl::string_view column, std::string reason) const {
    errors->Add(line, std::string(column), std::move(reason));
  }
  bool Parsed(absl::string_view column) const {
    return std::find(parsed.begin(), parsed.end(), column) != parsed.end();
  }
};

// ---------------------------------------------------------------- schemas

template <typename Row>
struct Column {
  std::string name;
  Kind kind;
  bool required;
  std::function<Target(Row&)> target;
};

template <typename Row>
struct Schema {
  absl::string_view file_name;
  std::vector<Column<Row>> columns;
  // Cross-field checks, run on the cells that parsed.
  void (*check)(const Row&, const RowContext&);
  // Rows with equal keys are duplicates; nullopt when a key cell is missing.
  std::optional<std::string> (*key)(const Row&, const RowContext&);
  absl::string_view key_column;  // where a duplicate is reported
  // Run on a row without errors before it is kept; may be null.
  void (*complete)(Row&);
};

template <typename Row, typename T>
Column<Row> Col(std::string name, Kind kind, T Row::*member,
                bool required = false) {
  return {std::move(name), kind, required,
          [member](Row& row) -> Target { return &(row.*member); }};
}

struct LevelField {
  const char* name;
  std::optional<int64_t> LevelStats::*member;
};

constexpr LevelField kLevelFields[] = {
    {"students", &LevelStats::students},
    {"classes", &LevelStats::classes},
    {"max_class_size", &LevelStats::max_class_size},
    {"teachers", &LevelStats::teachers},
    {"teachers_above_degree", &LevelStats::teachers_above_degree},
    {"backbone_teachers", &LevelStats::backbone_teachers},
    {"pe_art_teachers", &LevelStats::pe_art_teachers},
    {"certified_teachers", &LevelStats::certified_teachers},
    {"senior_title_teachers", &LevelStats::senior_title_teachers},
};

// Subsets of the full-time teachers: none can outnumber them.
constexpr LevelField kTeacherSubsets[] = {
    {"teachers_above_degree", &LevelStats::teachers_above_degree},
    {"backbone_teachers", &LevelStats::backbone_teachers},
    {"pe_art_teachers", &LevelStats::pe_art_teachers},
    {"certified_teachers", &LevelStats::certified_teachers},
    {"senior_title_teachers", &LevelStats::senior_title_teachers},
};

// A resource column: a member of SharedResources or of RoomsAndFunds, both
// of which the whole school (SchoolStats: shared and its own RoomsAndFunds,
// the unprefixed columns) and each part (LevelStats: own and its own
// RoomsAndFunds, the p_/j_ columns) have.
struct ResourceField {
  const char* name;
  std::variant<std::optional<double> SharedResources::*,
               std::optional<int64_t> SharedResources::*,
               std::optional<double> RoomsAndFunds::*,
               std::optional<int64_t> RoomsAndFunds::*>
      member;
  // Whether the parts add up to the whole (a smallest-room area does not).
  bool additive;
};

constexpr ResourceField kResourceFields[] = {
    {"teaching_area_m2", &SharedResources::teaching_area_m2, true},
    {"sports_area_m2", &SharedResources::sports_area_m2, true},
    {"equipment_value_yuan", &SharedResources::equipment_value_yuan, true},
    {"multimedia_classrooms", &SharedResources::multimedia_classrooms, true},
    {"computers", &SharedResources::computers, true},
    {"books", &SharedResources::books, true},
    {"music_rooms", &RoomsAndFunds::music_rooms, true},
    {"art_rooms", &RoomsAndFunds::art_rooms, true},
    {"music_room_min_area_m2", &RoomsAndFunds::music_room_min_area_m2, false},
    {"art_room_min_area_m2", &RoomsAndFunds::art_room_min_area_m2, false},
    {"public_funds_yuan", &RoomsAndFunds::public_funds_yuan, true},
    {"training_funds_yuan", &RoomsAndFunds::training_funds_yuan, true},
};

SharedResources& SharedOf(SchoolStats& s) { return s.shared; }
const SharedResources& SharedOf(const SchoolStats& s) { return s.shared; }
SharedResources& SharedOf(LevelStats& l) { return l.own; }
const SharedResources& SharedOf(const LevelStats& l) { return l.own; }

// The member of `owner` (SchoolStats or LevelStats, const or not).
template <typename Owner, typename T>
auto& MemberOf(Owner& owner, std::optional<T> SharedResources::*member) {
  return SharedOf(owner).*member;
}
template <typename Owner, typename T>
auto& MemberOf(Owner& owner, std::optional<T> RoomsAndFunds::*member) {
  return owner.*member;
}

template <typename Owner>
Target TargetIn(Owner& owner, const ResourceField& f) {
  return std::visit(
      [&owner](auto member) { return Target(&MemberOf(owner, member)); },
      f.member);
}

template <typename Owner>
std::optional<double> ValueIn(const Owner& owner, const ResourceField& f) {
  return std::visit(
      [&owner](auto member) -> std::optional<double> {
        const auto& value = MemberOf(owner, member);
        if (!value.has_value()) return std::nullopt;
        return static_cast<double>(*value);
      },
      f.member);
}

template <typename T, typename Owner>
constexpr Kind KindOfMember(std::optional<T> Owner::*) {
  return std::is_same_v<T, double> ? Kind::kAmount : Kind::kCount;
}

Kind KindOf(const ResourceField& f) {
  return std::visit([](auto member) { return KindOfMember(member); }, f.member);
}

bool Exceeds(double part, double whole) {
  return part > whole + 1e-9 * std::max(1.0, whole);
}

void CheckLevel(const LevelStats& level, absl::string_view prefix,
                const RowContext& ctx) {
  if (level.teachers.has_value()) {
    for (const LevelField& f : kTeacherSubsets) {
      const std::optional<int64_t>& subset = level.*f.member;
      if (subset.has_value() && *subset > *level.teachers) {
        ctx.Add(absl::StrCat(prefix, f.name),
                absl::StrFormat("%d is more than %steachers (%d)", *subset,
                                prefix, *level.teachers));
      }
    }
  }
  const auto& students = level.students;
  const auto& classes = level.classes;
  const auto& max_size = level.max_class_size;
  if (students.has_value() && classes.has_value()) {
    if (*classes > *students) {
      ctx.Add(absl::StrCat(prefix, "classes"),
              absl::StrFormat("%d classes but only %d students", *classes,
                              *students));
    } else if (*classes == 0 && *students > 0) {
      ctx.Add(absl::StrCat(prefix, "classes"),
              absl::StrFormat("0 classes for %d students", *students));
    }
  }
  if (students.has_value() && max_size.has_value()) {
    if (*max_size > *students) {
      ctx.Add(absl::StrCat(prefix, "max_class_size"),
              absl::StrFormat("largest class of %d is more than all %d "
                              "students",
                              *max_size, *students));
    } else if (classes.has_value() && *classes > 0) {
      // Division, not classes × max_size, which could overflow.
      const int64_t q = *students / *classes;
      if (q > *max_size || (q == *max_size && *students % *classes != 0)) {
        ctx.Add(absl::StrCat(prefix, "max_class_size"),
                absl::StrFormat("%d classes of at most %d cannot hold %d "
                                "students",
                                *classes, *max_size, *students));
      }
    }
  }
}

void CheckResources(const RoomsAndFunds& r, absl::string_view prefix,
                    const RowContext& ctx) {
  if (r.training_funds_yuan.has_value() && r.public_funds_yuan.has_value() &&
      Exceeds(*r.training_funds_yuan, *r.public_funds_yuan)) {
    ctx.Add(absl::StrCat(prefix, "training_funds_yuan"),
            absl::StrCat(Num(*r.training_funds_yuan),
                         " is more than the public funds they are part of (",
                         prefix, "public_funds_yuan ",
                         Num(*r.public_funds_yuan), ")"));
  }
  struct Rooms {
    const char* count_name;
    const std::optional<int64_t>& count;
    const char* area_name;
    const std::optional<double>& min_area;
  };
  for (const Rooms& rooms :
       {Rooms{"music_rooms", r.music_rooms, "music_room_min_area_m2",
              r.music_room_min_area_m2},
        Rooms{"art_rooms", r.art_rooms, "art_room_min_area_m2",
              r.art_room_min_area_m2}}) {
    if (rooms.count.has_value() && *rooms.count == 0 &&
        rooms.min_area.has_value()) {
      ctx.Add(absl::StrCat(prefix, rooms.area_name),
              absl::StrCat("an area is given but ", prefix, rooms.count_name,
                           " is 0"));
    }
  }
}

// A part's override must fit inside the whole school's figure.
void CheckParts(const SchoolStats& row, const RowContext& ctx) {
  for (const ResourceField& f : kResourceFields) {
    if (!f.additive) continue;
    const std::optional<double> whole = ValueIn(row, f);
    if (!whole.has_value()) continue;
    const std::optional<double> p = ValueIn(row.primary, f);
    const std::optional<double> j = ValueIn(row.junior, f);
    bool part_too_big = false;
    for (const auto& [part, prefix] :
         {std::pair{p, "p_"}, std::pair{j, "j_"}}) {
      if (part.has_value() && Exceeds(*part, *whole)) {
        part_too_big = true;
        ctx.Add(absl::StrCat(prefix, f.name),
                absl::StrCat(Num(*part), " is more than the whole school's ",
                             f.name, " (", Num(*whole), ")"));
      }
    }
    if (!part_too_big && p.has_value() && j.has_value() &&
        Exceeds(*p + *j, *whole)) {
      ctx.Add(f.name,
              absl::StrCat("p_", f.name, " (", Num(*p), ") + j_", f.name, " (",
                           Num(*j), ") is more than the whole school's ",
                           Num(*whole)));
    }
  }
}

void CheckSchool(const SchoolStats& row, const RowContext& ctx) {
  if (ctx.Parsed("school_type")) {
    const SchoolType type = row.type;
    const bool has_primary = type != SchoolType::kJunior;
    const bool has_junior =
        type != SchoolType::kPrimary && type != SchoolType::kTeachingPoint;
    for (absl::string_view column : ctx.filled) {
      if (!has_junior && absl::StartsWith(column, "j_")) {
        ctx.Add(column, absl::StrCat("a ", SchoolTypeName(type),
                                     " school has no junior part; leave the "
                                     "j_ columns blank"));
      } else if (!has_primary && absl::StartsWith(column, "p_")) {
        ctx.Add(column, absl::StrCat("a ", SchoolTypeName(type),
                                     " school has no primary part; leave the "
                                     "p_ columns blank"));
      } else if (type != SchoolType::kTwelveYear && column == "h_students") {
        ctx.Add(column, "only twelve_year schools have senior-high students");
      }
    }
  }
  CheckLevel(row.primary, "p_", ctx);
  CheckLevel(row.junior, "j_", ctx);
  CheckResources(row, "", ctx);
  CheckResources(row.primary, "p_", ctx);
  CheckResources(row.junior, "j_", ctx);
  CheckParts(row, ctx);
}

std::optional<std::string> SchoolKey(const SchoolStats& row,
                                     const RowContext& ctx) {
  if (!ctx.Parsed("school_code") || !ctx.Parsed("year")) return std::nullopt;
  return absl::StrCat("school_code ", row.school_code, " and year ", row.year);
}

// A room count or fund the school reports only for its two parts is, for the
// whole school, their sum: the evaluator judges these for the whole school
// only. (Shared resources are not summed; the evaluator apportions them.)
int64_t Sum(int64_t a, int64_t b) { return a + b; }

// a + b as the double nearest the exact decimal sum, so the sum is still
// exactly a decimal of at most kMaxSignificantDigits digits (stats.h): a
// plain double sum would not be (0.1 + 0.2 is 0.30000000000000004).
double Sum(double a, double b) {
  // The decimals of each figure, from its shortest round-trip form.
  auto decimals = [](double v) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof(buffer), v,
                                   std::chars_format::fixed)
                         .ptr;
    const absl::string_view text(buffer, end - buffer);
    const size_t dot = text.find('.');
    return dot == absl::string_view::npos ? 0 : int(text.size() - dot - 1);
  };
  const int d = std::max(decimals(a), decimals(b));
  const double scale = std::pow(10.0, d);
  // Both scaled figures are whole numbers below 2^53 (15 digits), so the
  // integer sum is exact and its quotient by 10^d correctly rounded.
  if (d <= 15 && std::fabs(a * scale) < 0x1p52 && std::fabs(b * scale) < 0x1p52) {
    const int64_t sum = std::llround(a * scale) + std::llround(b * scale);
    return static_cast<double>(sum) / scale;
  }
  return a + b;
}

template <typename T>
void WholeFromParts(SchoolStats& row, std::optional<T> RoomsAndFunds::*member) {
  std::optional<T>& whole = row.*member;
  const std::optional<T>& p = row.primary.*member;
  const std::optional<T>& j = row.junior.*member;
  if (!whole.has_value() && p.has_value() && j.has_value()) {
    whole = Sum(*p, *j);
  }
}

void CompleteSchool(SchoolStats& row) {
  WholeFromParts(row, &RoomsAndFunds::music_rooms);
  WholeFromParts(row, &RoomsAndFunds::art_rooms);
  WholeFromParts(row, &RoomsAndFunds::public_funds_yuan);
  WholeFromParts(row, &RoomsAndFunds::training_funds_yuan);
}

const Schema<SchoolStats>& SchoolSchema() {
  static const Schema<SchoolStats>* const schema = [] {
    using R = SchoolStats;
    auto* s = new Schema<R>{.file_name = "schools.csv",
                            .columns = {},
                            .check = &CheckSchool,
                            .key = &SchoolKey,
                            .key_column = "school_code",
                            .complete = &CompleteSchool};
    auto& c = s->columns;
    c.push_back(Col("county_code", Kind::kCountyCode, &R::county_code, true));
    c.push_back(Col("school_code", Kind::kSchoolCode, &R::school_code, true));
    c.push_back(Col("school_name", Kind::kName, &R::school_name, true));
    c.push_back(Col("year", Kind::kYear, &R::year, true));
    c.push_back(Col("school_type", Kind::kSchoolType, &R::type, true));
    c.push_back(Col("location", Kind::kLocation, &R::location));
    c.push_back(Col("boarding", Kind::kBool, &R::boarding));
    c.push_back(Col("has_charter", Kind::kBool, &R::has_charter));

    const std::pair<const char*, LevelStats R::*> levels[] = {
        {"p_", &R::primary}, {"j_", &R::junior}};
    for (const auto& [prefix, level] : levels) {
      for (const LevelField& f : kLevelFields) {
        c.push_back({absl::StrCat(prefix, f.name), Kind::kCount, false,
                     [level = level, member = f.member](R& r) {
                       return Target(&(r.*level.*member));
                     }});
      }
    }
    c.push_back(Col("h_students", Kind::kCount, &R::senior_students));
    for (const ResourceField& f : kResourceFields) {
      c.push_back({f.name, KindOf(f), false,
                   [f = &f](R& r) { return TargetIn(r, *f); }});
    }
    for (const auto& [prefix, level] : levels) {
      for (const ResourceField& f : kResourceFields) {
        c.push_back(
            {absl::StrCat(prefix, f.name), KindOf(f), false,
             [level = level, f = &f](R& r) { return TargetIn(r.*level, *f); }});
      }
    }
    return s;
  }();
  return *schema;
}

void CheckCounty(const CountyStats& row, const RowContext& ctx) {
  if (ctx.Parsed("province_code") && ctx.Parsed("county_code") &&
      !absl::StartsWith(row.county_code, row.province_code)) {
    ctx.Add("province_code",
            absl::StrCat("county_code ", row.county_code,
                         " does not lie in province ", row.province_code));
  }
  if (row.rotated_teachers.has_value() &&
      row.rotation_eligible_teachers.has_value() &&
      *row.rotated_teachers > *row.rotation_eligible_teachers) {
    ctx.Add("rotated_teachers",
            absl::StrFormat("%d is more than rotation_eligible_teachers (%d)",
                            *row.rotated_teachers,
                            *row.rotation_eligible_teachers));
  }
  if (row.rotated_backbone_teachers.has_value() &&
      row.rotated_teachers.has_value() &&
      *row.rotated_backbone_teachers > *row.rotated_teachers) {
    ctx.Add(
        "rotated_backbone_teachers",
        absl::StrFormat("%d is more than rotated_teachers (%d)",
                        *row.rotated_backbone_teachers, *row.rotated_teachers));
  }
}

std::optional<std::string> CountyKey(const CountyStats& row,
                                     const RowContext& ctx) {
  if (!ctx.Parsed("county_code") || !ctx.Parsed("year")) return std::nullopt;
  return absl::StrCat("county_code ", row.county_code, " and year ", row.year);
}

const Schema<CountyStats>& CountySchema() {
  static const Schema<CountyStats>* const schema = [] {
    using R = CountyStats;
    return new Schema<R>{
        "counties.csv",
        {
            Col("county_code", Kind::kCountyCode, &R::county_code, true),
            Col("county_name", Kind::kName, &R::county_name, true),
            Col("year", Kind::kYear, &R::year, true),
            Col("province_code", Kind::kProvinceCode, &R::province_code),
            Col("special_ed_funds_per_student_yuan", Kind::kAmount,
                &R::special_ed_funds_per_student_yuan),
            Col("small_schools_funded_as_100", Kind::kBool,
                &R::small_schools_funded_as_100),
            Col("teacher_avg_salary_yuan", Kind::kAmount,
                &R::teacher_avg_salary_yuan),
            Col("civil_servant_avg_salary_yuan", Kind::kAmount,
                &R::civil_servant_avg_salary_yuan),
            Col("training_360h_completion_rate", Kind::kFraction,
                &R::training_360h_completion_rate),
            Col("rotation_eligible_teachers", Kind::kCount,
                &R::rotation_eligible_teachers),
            Col("rotated_teachers", Kind::kCount, &R::rotated_teachers),
            Col("rotated_backbone_teachers", Kind::kCount,
                &R::rotated_backbone_teachers),
            Col("nearby_enrollment_rate_primary", Kind::kFraction,
                &R::nearby_enrollment_rate_primary),
            Col("nearby_enrollment_rate_junior", Kind::kFraction,
                &R::nearby_enrollment_rate_junior),
            Col("quality_high_school_quota_ratio", Kind::kFraction,
                &R::quality_high_school_quota_ratio),
            Col("migrant_children_public_ratio", Kind::kFraction,
                &R::migrant_children_public_ratio),
            Col("junior_consolidation_rate", Kind::kFraction,
                &R::junior_consolidation_rate),
            Col("disabled_enrollment_rate", Kind::kFraction,
                &R::disabled_enrollment_rate),
            Col("monitoring_min_level", Kind::kMonitoringLevel,
                &R::monitoring_min_level),
            Col("monitoring_interschool_difference", Kind::kFraction,
                &R::monitoring_interschool_difference),
            Col("satisfaction_rate", Kind::kFraction, &R::satisfaction_rate),
        },
        &CheckCounty,
        &CountyKey,
        "county_code",
        nullptr};
  }();
  return *schema;
}

template <typename Row>
const Schema<Row>& SchemaFor();
template <>
const Schema<SchoolStats>& SchemaFor<SchoolStats>() {
  return SchoolSchema();
}
template <>
const Schema<CountyStats>& SchemaFor<CountyStats>() {
  return CountySchema();
}

// ---------------------------------------------------------------- header

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean p_students or j_students?" for a near miss, else "".
template <typename Row>
std::string Suggestion(absl::string_view name,
                       const std::vector<Column<Row>>& columns) {
  std::string normal = absl::AsciiStrToLower(name);
  std::replace_if(
      normal.begin(), normal.end(), [](char c) { return c == ' ' || c == '-'; },
      '_');
  const size_t limit = std::max<size_t>(1, normal.size() / 4);
  size_t best = limit + 1;
  std::vector<absl::string_view> candidates;
  for (const Column<Row>& column : columns) {
    // The distance is at least the difference in length: skipping what
    // cannot be near keeps a hostile header (thousands of cells of a
    // thousand bytes) from costing seconds of quadratic work.
    const size_t length_difference = normal.size() > column.name.size()
                                         ? normal.size() - column.name.size()
                                         : column.name.size() - normal.size();
    if (length_difference > best) continue;
    const size_t d = EditDistance(normal, column.name);
    if (d < best) {
      best = d;
      candidates.clear();
    }
    if (d == best) candidates.push_back(column.name);
  }
  if (candidates.empty()) return "";
  if (candidates.size() > 3) candidates.resize(3);
  const absl::string_view last = candidates.back();
  candidates.pop_back();
  return absl::StrCat("; did you mean ", absl::StrJoin(candidates, ", "),
                      candidates.empty() ? "" : " or ", last, "?");
}

bool AllBlank(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const std::string& f) {
    return absl::StripAsciiWhitespace(f).empty();
  });
}

constexpr int kUnknown = -1;
constexpr int kUnnamed = -2;

std::string ColumnPosition(size_t index) {
  return absl::StrCat("(column ", index + 1, ")");
}

}  // namespace

// ---------------------------------------------------------------- public

std::string ImportError::ToString() const {
  std::string out = line > 0 ? absl::StrCat("line ", line) : "file";
  if (!column.empty()) absl::StrAppend(&out, ", column ", column);
  absl::StrAppend(&out, ": ", reason);
  return out;
}

template <typename Row>
struct CsvImporter<Row>::Impl : public CsvSink {
  explicit Impl(ImportOptions o)
      : options(o),
        schema(SchemaFor<Row>()),
        errors(o.max_errors),
        reader(this, CsvReaderOptions{o.max_record_bytes}) {}

  void OnRecord(const CsvRecord& record) override {
    if (header_failed) return;
    if (!have_header) {
      if (AllBlank(record.fields)) return;
      OnHeader(record);
    } else if (!AllBlank(record.fields)) {
      OnRow(record);
    }
  }

  void OnError(const CsvError& error) override {
    std::string column;
    if (!have_header) {
      // Without its header no row can be read; say so once, below.
      header_failed = true;
    } else if (error.field >= 0 &&
               static_cast<size_t>(error.field) < mapping.size()) {
      column = header[error.field];
    }
    errors.Add(error.record_line, std::move(column),
               absl::StrCat("at line ", error.line, ", character ",
                            error.column, ": ", error.reason));
    DropRows();
  }

  // Once the file has an error no row will be returned; stop keeping them.
  void DropRows() {
    rows.clear();
    lines.clear();
  }

  void OnHeader(const CsvRecord& record) {
    have_header = true;
    const int64_t line = record.line;
    std::unordered_map<std::string, int> index_of;
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      index_of.emplace(schema.columns[i].name, static_cast<int>(i));
    }
    std::unordered_map<std::string, size_t> position_of;
    std::vector<size_t> unknown;
    bool any_known = false;
    for (size_t i = 0; i < record.fields.size(); ++i) {
      const std::string name(absl::StripAsciiWhitespace(record.fields[i]));
      header.push_back(name);
      int column = kUnknown;
      if (name.empty()) {
        // Spreadsheets export trailing empty columns; harmless while blank.
        column = kUnnamed;
      } else if (auto it = index_of.find(name); it == index_of.end()) {
        unknown.push_back(i);
      } else if (auto [seen, inserted] = position_of.emplace(name, i);
                 !inserted) {
        errors.Add(line, name,
                   absl::StrCat("column appears twice (positions ",
                                seen->second + 1, " and ", i + 1, ")"));
      } else {
        column = it->second;
        any_known = true;
      }
      mapping.push_back(column);
    }
    if (!any_known && !unknown.empty()) {
      errors.Add(
          line, "",
          absl::StrCat("no known column name in the first row; the "
                       "file must start with a header row such as ",
                       schema.columns[0].name, ",", schema.columns[1].name, ",",
                       schema.columns[2].name, ",…"));
    } else {
      for (size_t i : unknown) {
        errors.Add(line, header[i],
                   absl::StrCat("unknown column",
                                Suggestion(header[i], schema.columns)));
      }
    }
    for (const Column<Row>& column : schema.columns) {
      if (any_known && column.required && !position_of.contains(column.name)) {
        errors.Add(line, column.name, "required column is missing");
      }
    }
    result.columns = header;
  }

  void OnRow(const CsvRecord& record) {
    const int64_t line = record.line;
    const size_t cells = record.fields.size();
    if (cells < mapping.size() ||
        (cells > mapping.size() &&
         !AllBlank(std::vector<std::string>(
             record.fields.begin() + mapping.size(), record.fields.end())))) {
      // Misaligned cells would only produce misleading type errors.
      errors.Add(line, "",
                 absl::StrFormat("row has %d cells but the header has %d; a "
                                 "value containing a comma must be quoted",
                                 cells, mapping.size()));
      DropRows();
      return;
    }
    const int64_t errors_before = errors.count();
    Row row;
    filled.clear();
    parsed.clear();
    for (size_t i = 0; i < mapping.size(); ++i) {
      const absl::string_view cell =
          absl::StripAsciiWhitespace(record.fields[i]);
      const int index = mapping[i];
      if (index == kUnnamed && !cell.empty()) {
        errors.Add(line, ColumnPosition(i),
                   "a value in a column without a name in the header");
      }
      if (index < 0) continue;
      const Column<Row>& column = schema.columns[index];
      if (cell.empty()) {
        if (column.required) {
          errors.Add(line, column.name, "required; must not be blank");
        }
        continue;
      }
      filled.push_back(column.name);
      if (Reason reason =
              ParseInto(column.kind, cell, options, column.target(row))) {
        errors.Add(line, column.name, std::move(*reason));
      } else {
        parsed.push_back(column.name);
      }
    }
    const RowContext ctx{line, filled, parsed, &errors};
    schema.check(row, ctx);
    if (std::optional<std::string> key = schema.key(row, ctx)) {
      auto [it, inserted] = first_line_of.emplace(std::move(*key), line);
      if (!inserted) {
        errors.Add(
            line, std::string(schema.key_column),
            absl::StrCat(it->first, " already appear at line ", it->second));
      }
    }
    if (errors.count() > errors_before) {
      DropRows();
    } else if (errors.count() == 0) {
      if (schema.complete != nullptr) schema.complete(row);
      rows.push_back(std::move(row));
      lines.push_back(line);
    }
  }

  absl::StatusOr<ImportResult<Row>> Finish() {
    if (finished) return absl::FailedPreconditionError("Finish called twice");
    finished = true;
    reader.Finish();
    if (!have_header && errors.count() == 0) {
      errors.Add(
          0, "",
          absl::StrCat("the file is empty; expected a header row and "
                       "one row per ",
                       std::is_same_v<Row, SchoolStats> ? "school" : "county",
                       " and year"));
    } else if (header_failed) {
      errors.Add(0, "", "the header row is malformed, so no row was read");
    }
    errors.Seal();
    if (errors.count() > 0) {
      DropRows();
      constexpr size_t kShown = 5;
      std::vector<std::string> shown;
      for (const ImportError& e : errors.errors()) {
        if (shown.size() == kShown) break;
        shown.push_back(e.ToString());
      }
      return absl::InvalidArgumentError(absl::StrCat(
          schema.file_name, ": ", errors.count(),
          errors.count() == 1 ? " error" : " errors",
          ", nothing imported: ", absl::StrJoin(shown, "; "),
          errors.count() > static_cast<int64_t>(kShown) ? "; …" : ""));
    }
    result.rows = std::move(rows);
    result.lines = std::move(lines);
    return std::move(result);
  }

  const ImportOptions options;
  const Schema<Row>& schema;
  ErrorList errors;
  CsvReader reader;
  bool finished = false;
  bool have_header = false;
  bool header_failed = false;
  std::vector<std::string> header;
  std::vector<int> mapping;  // header position → schema column, or kUn*
  std::vector<absl::string_view> filled;
  std::vector<absl::string_view> parsed;
  std::map<std::string, int64_t> first_line_of;
  std::vector<Row> rows;
  std::vector<int64_t> lines;  // lines[i]: where rows[i] starts
  ImportResult<Row> result;
};

template <typename Row>
CsvImporter<Row>::CsvImporter(ImportOptions options)
    : impl_(std::make_unique<Impl>(options)) {}

template <typename Row>
CsvImporter<Row>::~CsvImporter() = default;

template <typename Row>
absl::Status CsvImporter<Row>::Feed(absl::string_view bytes) {
  if (impl_->finished) {
    return absl::FailedPreconditionError("Feed called after Finish");
  }
  impl_->reader.Feed(bytes);
  return absl::OkStatus();
}

template <typename Row>
absl::Status CsvImporter<Row>::FeedRecord(const CsvRecord& record) {
  if (impl_->finished) {
    return absl::FailedPreconditionError("FeedRecord called after Finish");
  }
  impl_->OnRecord(record);
  return absl::OkStatus();
}

template <typename Row>
absl::StatusOr<ImportResult<Row>> CsvImporter<Row>::Finish() {
  return impl_->Finish();
}

template <typename Row>
absl::StatusOr<Row> CsvImporter<Row>::FromCells(
    const std::map<std::string, std::string>& cells) {
  // The header and the row as the reader would have delivered them: the
  // same checks, without writing and re-reading CSV text.
  Impl impl(ImportOptions{});
  CsvRecord header{1, {}};
  CsvRecord row{2, {}};
  header.fields.reserve(cells.size());
  row.fields.reserve(cells.size());
  for (const auto& [column, cell] : cells) {
    header.fields.push_back(column);
    row.fields.push_back(cell);
  }
  impl.OnRecord(header);
  impl.OnRecord(row);
  if (impl.errors.count() > 0 || impl.rows.size() != 1) {
    return absl::DataLossError(absl::StrCat(
        "a stored ", impl.schema.file_name, " row no longer parses",
        impl.errors.errors().empty()
            ? std::string()
            : absl::StrCat(": ", impl.errors.errors().front().ToString())));
  }
  return std::move(impl.rows.front());
}

template <typename Row>
const std::vector<ImportError>& CsvImporter<Row>::errors() const {
  return impl_->errors.errors();
}

template <typename Row>
int64_t CsvImporter<Row>::error_count() const {
  return impl_->errors.count();
}

template class CsvImporter<SchoolStats>;
template class CsvImporter<CountyStats>;

namespace {
template <typename Row>
std::vector<std::string> NamesOf() {
  std::vector<std::string> out;
  for (const Column<Row>& c : SchemaFor<Row>().columns) out.push_back(c.name);
  return out;
}
}  // namespace
template <>
std::vector<std::string> ColumnNames<SchoolStats>() {
  return NamesOf<SchoolStats>();
}
template <>
std::vector<std::string> ColumnNames<CountyStats>() {
  return NamesOf<CountyStats>();
}

}  // namespace junheng::checklist::csv
