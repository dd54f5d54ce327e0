#include "checklist_service/xlsx/workbook.h"

#include <expat.h>
#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace junheng::checklist::xlsx {
namespace {

absl::Status NotWorkbook(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not an .xlsx workbook: ", why));
}

// ---------------------------------------------------------------- XML

// Receives expat's events with element names reduced to their local part
// (the parser is namespace-aware, so "x:row" and "row" both read as "row").
// Attribute names keep their namespace as "uri|local".
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(absl::string_view name, const XML_Char** attrs) = 0;
  virtual void End(absl::string_view name) = 0;
  virtual void Text(absl::string_view) {}
  virtual bool WantsText() const { return true; }
  // Set to stop the parse; Parse() then returns it.
  absl::Status error;
};

absl::string_view LocalName(const char* name) {
  const char* bar = std::strrchr(name, '|');
  return bar != nullptr ? bar + 1 : name;
}

// The attribute with local name `local`; `namespaced` asks for one in a
// namespace (r:id), else one without (name, sheetId).
const char* Attr(const XML_Char** attrs, absl::string_view local,
                 bool namespaced = false) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    const bool has_ns = std::strchr(attrs[i], '|') != nullptr;
    if (has_ns == namespaced && LocalName(attrs[i]) == local) {
      return attrs[i + 1];
    }
  }
  return nullptr;
}

class XmlParser {
 public:
  XmlParser(XmlHandler* handler, std::string part)
      : handler_(handler),
        part_(std::move(part)),
        parser_(XML_ParserCreateNS(nullptr, '|')) {
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &OnStart, &OnEnd);
    if (handler_->WantsText()) XML_SetCharacterDataHandler(parser_, &OnText);
    // No part of a workbook has a DTD; refusing one rules out entity
    // expansion attacks whatever expat's own defences.
    XML_SetStartDoctypeDeclHandler(parser_, &OnDoctype);
  }
  ~XmlParser() { XML_ParserFree(parser_); }
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;

  absl::Status Parse(absl::string_view bytes, bool final) {
    if (XML_Parse(parser_, bytes.data(), static_cast<int>(bytes.size()),
                  final ? 1 : 0) != XML_STATUS_ERROR) {
      return absl::OkStatus();
    }
    if (!handler_->error.ok()) return handler_->error;
    return NotWorkbook(
        absl::StrFormat("%s is not well-formed XML (line %d: %s)", part_,
                        XML_GetCurrentLineNumber(parser_),
                        XML_ErrorString(XML_GetErrorCode(parser_))));
  }

 private:
  void StopIfFailed() {
    if (!handler_->error.ok()) XML_StopParser(parser_, XML_FALSE);
  }
  static void OnStart(void* self, const XML_Char* name,
                      const XML_Char** attrs) {
    auto* p = static_cast<XmlParser*>(self);
    p->handler_->Start(LocalName(name), attrs);
    p->StopIfFailed();
  }
  static void OnEnd(void* self, const XML_Char* name) {
    auto* p = static_cast<XmlParser*>(self);
    p->handler_->End(LocalName(name));
    p->StopIfFailed();
  }
  static void OnText(void* self, const XML_Char* s, int len) {
    auto* p = static_cast<XmlParser*>(self);
    p->handler_->Text(absl::string_view(s, static_cast<size_t>(len)));
    p->StopIfFailed();
  }
  static void OnDoctype(void* self, const XML_Char*, const XML_Char*,
                        const XML_Char*, int) {
    auto* p = static_cast<XmlParser*>(self);
    p->handler_->error = NotWorkbook(absl::StrCat(p->part_,
                                                  " declares a DTD, which no "
                                                  "workbook part has"));
    XML_StopParser(p->parser_, XML_FALSE);
  }

  XmlHandler* const handler_;
  const std::string part_;
  XML_Parser parser_;
};

// ---------------------------------------------------------------- parts

struct Relationship {
  std::string type;
  std::string target;  // resolved to a zip entry name
};

// "xl/worksheets/../sharedStrings.xml" → "xl/sharedStrings.xml"; targets are
// relative to the folder of the part whose relationships they are.
std::string ResolveTarget(absl::string_view dir, absl::string_view target) {
  std::string joined = absl::StartsWith(target, "/")
                           ? std::string(target.substr(1))
                           : absl::StrCat(dir, target);
  std::vector<std::string> out;
  for (absl::string_view piece : absl::StrSplit(joined, '/')) {
    if (piece.empty() || piece == ".") continue;
    if (piece == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.emplace_back(piece);
  }
  return absl::StrJoin(out, "/");
}

std::string DirOf(absl::string_view part) {
  const size_t slash = part.rfind('/');
  return slash == absl::string_view::npos
             ? ""
             : std::string(part.substr(0, slash + 1));
}

class RelsHandler : public XmlHandler {
 public:
  explicit RelsHandler(std::string dir) : dir_(std::move(dir)) {}
  void Start(absl::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return;
    const char* id = Attr(attrs, "Id");
    const char* type = Attr(attrs, "Type");
    const char* target = Attr(attrs, "Target");
    const char* mode = Attr(attrs, "TargetMode");
    if (id == nullptr || type == nullptr || target == nullptr) return;
    if (mode != nullptr && absl::string_view(mode) == "External") return;
    rels[id] = {type, ResolveTarget(dir_, target)};
  }
  void End(absl::string_view) override {}
  bool WantsText() const override { return false; }

  std::map<std::string, Relationship> rels;

 private:
  const std::string dir_;
};

class WorkbookHandler : public XmlHandler {
 public:
  struct Sheet {
    std::string name, rel_id;
    bool hidden = false;
  };
  void Start(absl::string_view name, const XML_Char** attrs) override {
    if (depth_++ == 0) is_workbook = name == "workbook";
    if (name == "workbookPr") {
      const char* d = Attr(attrs, "date1904");
      date1904 = d != nullptr && (absl::string_view(d) == "1" ||
                                  absl::string_view(d) == "true");
    } else if (name == "sheet") {
      const char* n = Attr(attrs, "name");
      const char* id = Attr(attrs, "id", /*namespaced=*/true);
      const char* state = Attr(attrs, "state");
      if (n != nullptr && id != nullptr) {
        sheets.push_back(
            {n, id, state != nullptr && absl::string_view(state) != "visible"});
      }
    }
  }
  void End(absl::string_view) override { --depth_; }
  bool WantsText() const override { return false; }

  bool is_workbook = false;
  bool date1904 = false;
  std::vector<Sheet> sheets;

 private:
  int depth_ = 0;
};

// Excel's _xHHHH_ escapes (ECMA-376 ST_Xstring), used for control
// characters in strings.
std::string DecodeEscapes(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t cp = 0;
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_' &&
        std::all_of(s.begin() + i + 2, s.begin() + i + 6,
                    [](char c) { return absl::ascii_isxdigit(c); }) &&
        absl::SimpleHexAtoi(absl::string_view(s).substr(i + 2, 4), &cp)) {
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
      i += 6;
      continue;
    }
    out += s[i];
  }
  return out;
}

class SharedStringsHandler : public XmlHandler {
 public:
  SharedStringsHandler(const WorkbookLimits& limits, std::string* blob,
                       std::vector<uint32_t>* ends)
      : limits_(limits), blob_(blob), ends_(ends) {}

  void Start(absl::string_view name, const XML_Char**) override {
    if (name == "si") {
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_;  // a reading guide above the text, not part of it
    } else if (name == "t" && phonetic_ == 0) {
      in_text_ = true;
    }
  }
  void End(absl::string_view name) override {
    if (name == "t") {
      in_text_ = false;
    } else if (name == "rPh") {
      --phonetic_;
    } else if (name == "si") {
      blob_->append(DecodeEscapes(std::move(current_)));
      current_.clear();
      if (static_cast<int64_t>(blob_->size()) >
              limits_.max_shared_string_bytes ||
          static_cast<int64_t>(ends_->size()) >= limits_.max_shared_strings) {
        error = absl::InvalidArgumentError(absl::StrFormat(
            "the workbook's shared strings are past this server's limit "
            "(%d strings, %d MiB); split the file",
            limits_.max_shared_strings, limits_.max_shared_string_bytes >> 20));
        return;
      }
      ends_->push_back(static_cast<uint32_t>(blob_->size()));
    }
  }
  void Text(absl::string_view text) override {
    if (!in_text_) return;
    if (static_cast<int64_t>(current_.size() + text.size()) >
        limits_.max_cell_bytes) {
      error = absl::InvalidArgumentError(absl::StrFormat(
          "a shared string is longer than %d bytes", limits_.max_cell_bytes));
      return;
    }
    current_.append(text.data(), text.size());
  }

 private:
  const WorkbookLimits& limits_;
  std::string* blob_;
  std::vector<uint32_t>* ends_;
  std::string current_;
  int phonetic_ = 0;
  bool in_text_ = false;
};

// Built-in number formats that show dates or times, the CJK ones included
// (27–36 and 50–58 are 年月日 forms in a Chinese Excel).
bool IsBuiltinDateFormat(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
         (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// Whether a custom format code shows a date or time: a y, m, d, h or s
// outside quoted text, escapes and [colour]/[condition] brackets.
bool IsDateFormatCode(absl::string_view code) {
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const size_t close = code.find('"', i + 1);
      if (close == absl::string_view::npos) return false;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const size_t close = code.find(']', i + 1);
      if (close == absl::string_view::npos) return false;
      const std::string inside =
          absl::AsciiStrToLower(code.substr(i + 1, close - i - 1));
      // [h], [mm], [ss]: elapsed time.
      if (!inside.empty() && absl::StrContains("hms", inside.substr(0, 1)) &&
          inside.find_first_not_of("hms") == std::string::npos) {
        return true;
      }
      i = close;
    } else if (absl::StrContains("yYmMdDhHsS", absl::string_view(&c, 1))) {
      return true;
    }
  }
  return false;
}

class StylesHandler : public XmlHandler {
 public:
  void Start(absl::string_view name, const XML_Char** attrs) override {
    if (name == "numFmt") {
      const char* id = Attr(attrs, "numFmtId");
      const char* code = Attr(attrs, "formatCode");
      int n = 0;
      if (id != nullptr && code != nullptr && absl::SimpleAtoi(id, &n)) {
        custom_[n] = IsDateFormatCode(code);
      }
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = Attr(attrs, "numFmtId");
      int n = 0;
      if (id == nullptr || !absl::SimpleAtoi(id, &n)) n = 0;
      formats_.push_back(n);
    }
  }
  void End(absl::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  bool WantsText() const override { return false; }

  std::vector<bool> DateStyles() const {
    std::vector<bool> out;
    for (int id : formats_) {
      auto it = custom_.find(id);
      out.push_back(it != custom_.end() ? it->second : IsBuiltinDateFormat(id));
    }
    return out;
  }

 private:
  std::map<int, bool> custom_;
  std::vector<int> formats_;
  bool in_cell_xfs_ = false;
};

// "AB12" → column 27 (0-based) and row 12; false when malformed.
bool ParseCellRef(absl::string_view ref, int* column, int64_t* row) {
  size_t i = 0;
  int64_t col = 0;
  while (i < ref.size() && absl::ascii_isalpha(ref[i]) && i < 3) {
    col = col * 26 + (absl::ascii_toupper(ref[i]) - 'A' + 1);
    ++i;
  }
  if (i == 0) return false;
  int64_t r = 0;
  if (!absl::SimpleAtoi(ref.substr(i), &r) || r < 1 || r > 1048576) {
    return false;
  }
  *column = static_cast<int>(col - 1);
  *row = r;
  return true;
}

std::string FormatNumber(absl::string_view raw) {
  double v = 0;
  if (!absl::SimpleAtod(raw, &v) || !std::isfinite(v)) {
    return std::string(raw);
  }
  v += 0.0;  // -0 reads as 0
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrFormat("%.0f", v);
  }
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

// Excel's serial date: days since 1899-12-31 in the 1900 system, which
// counts the 29th of February 1900 that never was (serial 60), or since
// 1904-01-01 in the 1904 system.
std::string FormatDate(absl::string_view raw, bool date1904) {
  double serial = 0;
  if (!absl::SimpleAtod(raw, &serial) || !(serial >= 0) ||
      serial > 2958465.99999) {
    return FormatNumber(raw);
  }
  const double whole = std::floor(serial);
  int64_t seconds = std::llround((serial - whole) * 86400);
  int64_t days = static_cast<int64_t>(whole);
  if (seconds >= 86400) {
    seconds -= 86400;
    ++days;
  }
  std::string time = absl::StrFormat("%02d:%02d:%02d", seconds / 3600,
                                     seconds / 60 % 60, seconds % 60);
  if (days == 0 && !date1904) return time;
  if (date1904) days += 1462;
  std::string date;
  if (days == 60) {
    date = "1900-02-29";
  } else {
    const absl::CivilDay day = days < 60 ? absl::CivilDay(1899, 12, 31) + days
                                         : absl::CivilDay(1899, 12, 30) + days;
    date = absl::FormatCivilTime(day);
  }
  return seconds == 0 ? date : absl::StrCat(date, " ", time);
}

struct Merge {
  int64_t top, bottom;
  int left, right;
  std::string value;  // of the top-left cell, once its row was read
};

// The first pass over a sheet: its merged ranges (listed after the cells)
// and the rightmost column holding a value.
class SheetScanHandler : public XmlHandler {
 public:
  SheetScanHandler(const WorkbookLimits& limits, std::vector<Merge>* merges)
      : limits_(limits), merges_(merges) {}
  void Start(absl::string_view name, const XML_Char** attrs) override {
    if (name == "row") {
      column_ = -1;
    } else if (name == "c") {
      const char* r = Attr(attrs, "r");
      int64_t row = 0;
      int col = 0;
      column_ = r != nullptr && ParseCellRef(r, &col, &row) ? col : column_ + 1;
    } else if (name == "v" || name == "is") {
      max_column = std::max(max_column, column_);
    } else if (name == "mergeCell") {
      const char* ref = Attr(attrs, "ref");
      if (ref == nullptr) return;
      std::vector<absl::string_view> ends = absl::StrSplit(ref, ':');
      Merge m;
      if (ends.size() != 2 || !ParseCellRef(ends[0], &m.left, &m.top) ||
          !ParseCellRef(ends[1], &m.right, &m.bottom) || m.bottom < m.top ||
          m.right < m.left) {
        return;
      }
      if (static_cast<int64_t>(merges_->size()) >= limits_.max_merges) {
        error = absl::InvalidArgumentError(absl::StrFormat(
            "the sheet has more than %d merged ranges", limits_.max_merges));
        return;
      }
      merges_->push_back(std::move(m));
    }
  }
  void End(absl::string_view) override {}
  bool WantsText() const override { return false; }

  int max_column = -1;

 private:
  const WorkbookLimits& limits_;
  std::vector<Merge>* merges_;
  int column_ = -1;
};

}  // namespace

std::string ColumnLetters(int column) {
  std::string out;
  for (int64_t n = int64_t{column} + 1; n > 0; n = (n - 1) / 26) {
    out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return out;
}

// ---------------------------------------------------------------- Impl

struct Workbook::Impl {
  WorkbookLimits limits;
  zip_t* zip = nullptr;
  std::vector<SheetInfo> sheets;
  bool date1904 = false;
  // Shared string i is strings[ends[i-1], ends[i]).
  std::string strings;
  std::vector<uint32_t> string_ends;
  std::vector<bool> date_styles;

  ~Impl() {
    if (zip != nullptr) zip_discard(zip);  // closes the FILE too
  }

  bool HasPart(const std::string& name) const {
    return zip_name_locate(zip, name.c_str(), 0) >= 0;
  }

  absl::string_view SharedString(size_t i) const {
    const size_t begin = i == 0 ? 0 : string_ends[i - 1];
    return absl::string_view(strings).substr(begin, string_ends[i] - begin);
  }

  // Inflates `name` into `handler` piece by piece, bounding what it may
  // inflate to.
  absl::Status ParsePart(const std::string& name, XmlHandler& handler) {
    const zip_int64_t index = zip_name_locate(zip, name.c_str(), 0);
    if (index < 0) {
      return NotWorkbook(absl::StrCat("the part ", name, " is missing"));
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, static_cast<zip_uint64_t>(index), 0, &st) != 0) {
      return NotWorkbook(absl::StrCat("the zip entry ", name,
                                      " cannot be read: ", zip_strerror(zip)));
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 &&
        st.encryption_method != ZIP_EM_NONE) {
      return absl::InvalidArgumentError(
          "the workbook is encrypted (password protected); save a copy "
          "without a password");
    }
    const int64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) != 0
                                   ? static_cast<int64_t>(st.comp_size)
                                   : 0;
    auto too_big = [&](int64_t inflated) -> absl::Status {
      return absl::InvalidArgumentError(absl::StrFormat(
          "the workbook part %s inflates to more than %s (%d compressed "
          "bytes); an Excel file does not, a zip bomb does: not accepted",
          name,
          inflated > limits.max_part_bytes
              ? absl::StrFormat("%d MiB", limits.max_part_bytes >> 20)
              : absl::StrFormat("%g times its size", limits.max_ratio),
          compressed));
    };
    if ((st.valid & ZIP_STAT_SIZE) != 0 &&
        st.size > static_cast<zip_uint64_t>(limits.max_part_bytes)) {
      return too_big(static_cast<int64_t>(st.size));
    }
    zip_file_t* file =
        zip_fopen_index(zip, static_cast<zip_uint64_t>(index), 0);
    if (file == nullptr) {
      return NotWorkbook(absl::StrCat(
          "the zip entry ", name, " cannot be opened: ", zip_strerror(zip)));
    }
    struct Closer {
      zip_file_t* f;
      ~Closer() { zip_fclose(f); }
    } closer{file};
    XmlParser parser(&handler, name);
    std::string buffer(size_t{64} << 10, '\0');
    int64_t inflated = 0;
    for (;;) {
      const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) {
        return NotWorkbook(absl::StrCat("the zip archive is damaged (", name,
                                        ": ", zip_file_strerror(file), ")"));
      }
      inflated += n;
      if (inflated > limits.max_part_bytes ||
          (inflated > limits.ratio_floor_bytes &&
           static_cast<double>(inflated) >
               limits.max_ratio *
                   static_cast<double>(std::max<int64_t>(compressed, 1)))) {
        return too_big(inflated);
      }
      if (absl::Status s = parser.Parse(
              absl::string_view(buffer.data(), static_cast<size_t>(n)), n == 0);
          !s.ok()) {
        return s;
      }
      if (n == 0) return absl::OkStatus();
    }
  }

  absl::Status Load();
};

absl::Status Workbook::Impl::Load() {
  const zip_int64_t entries = zip_get_num_entries(zip, 0);
  if (entries > 10000) {
    return NotWorkbook(absl::StrCat("the zip archive has ", entries,
                                    " entries; a workbook has a few dozen"));
  }
  RelsHandler root("");
  std::string workbook_part = "xl/workbook.xml";
  if (HasPart("_rels/.rels")) {
    if (absl::Status s = ParsePart("_rels/.rels", root); !s.ok()) return s;
    for (const auto& [id, rel] : root.rels) {
      if (absl::EndsWith(rel.type, "/officeDocument")) {
        workbook_part = rel.target;
      }
    }
  }
  if (!HasPart(workbook_part)) {
    if (HasPart("content.xml") && HasPart("mimetype")) {
      return NotWorkbook(
          "this is an OpenDocument file (.ods); save it as .xlsx (Excel "
          "2007-365)");
    }
    return NotWorkbook(
        "a zip archive with no workbook in it (no xl/workbook.xml), perhaps "
        "another Office document; save the spreadsheet as .xlsx");
  }
  WorkbookHandler book;
  if (absl::Status s = ParsePart(workbook_part, book); !s.ok()) return s;
  if (!book.is_workbook) {
    return NotWorkbook(absl::StrCat(workbook_part,
                                    " is not a spreadsheet workbook; save the "
                                    "spreadsheet as .xlsx"));
  }
  date1904 = book.date1904;
  const std::string dir = DirOf(workbook_part);
  RelsHandler rels(dir);
  const std::string rels_part =
      absl::StrCat(dir, "_rels/", workbook_part.substr(dir.size()), ".rels");
  if (HasPart(rels_part)) {
    if (absl::Status s = ParsePart(rels_part, rels); !s.ok()) return s;
  }
  std::string strings_part, styles_part;
  for (const auto& [id, rel] : rels.rels) {
    if (absl::EndsWith(rel.type, "/sharedStrings")) strings_part = rel.target;
    if (absl::EndsWith(rel.type, "/styles")) styles_part = rel.target;
  }
  for (const auto& sheet : book.sheets) {
    auto it = rels.rels.find(sheet.rel_id);
    if (it == rels.rels.end() || !absl::EndsWith(it->second.type, "/worksheet"))
      continue;  // a chart sheet, or a dangling entry
    sheets.push_back({sheet.name, it->second.target, sheet.hidden});
  }
  if (sheets.empty()) return NotWorkbook("the workbook has no worksheet");
  if (!strings_part.empty() && HasPart(strings_part)) {
    SharedStringsHandler handler(limits, &strings, &string_ends);
    if (absl::Status s = ParsePart(strings_part, handler); !s.ok()) return s;
  }
  if (!styles_part.empty() && HasPart(styles_part)) {
    StylesHandler handler;
    if (absl::Status s = ParsePart(styles_part, handler); !s.ok()) return s;
    date_styles = handler.DateStyles();
  }
  return absl::OkStatus();
}

namespace {

// The second pass: rows and their cells.
class SheetRowsHandler : public XmlHandler {
 public:
  SheetRowsHandler(const Workbook::Impl& book, const SheetInfo& sheet,
                   std::vector<Merge>* merges, RowSink& sink)
      : book_(book), sheet_(sheet), merges_(merges), sink_(sink) {
    if (merges_ != nullptr) {
      std::sort(merges_->begin(), merges_->end(),
                [](const Merge& a, const Merge& b) { return a.top < b.top; });
    }
  }

  void Start(absl::string_view name, const XML_Char** attrs) override {
    if (name == "row") {
      const char* r = Attr(attrs, "r");
      int64_t n = 0;
      row_.number = r != nullptr && absl::SimpleAtoi(r, &n) && n >= 1
                        ? n
                        : row_.number + 1;
      row_.cells.clear();
      column_ = -1;
      in_row_ = true;
    } else if (name == "c" && in_row_) {
      const char* r = Attr(attrs, "r");
      int64_t row = 0;
      int col = 0;
      column_ = r != nullptr && ParseCellRef(r, &col, &row) ? col : column_ + 1;
      const char* t = Attr(attrs, "t");
      type_ = t != nullptr ? t : "n";
      const char* s = Attr(attrs, "s");
      style_ = 0;
      if (s == nullptr || !absl::SimpleAtoi(s, &style_)) style_ = 0;
      value_.clear();
      has_value_ = false;
      in_cell_ = true;
    } else if (in_cell_) {
      if (name == "v") {
        in_value_ = true;
        has_value_ = true;
      } else if (name == "is") {
        in_inline_ = true;
        has_value_ = true;
      } else if (name == "rPh") {
        ++phonetic_;
      } else if (name == "t" && in_inline_ && phonetic_ == 0) {
        in_value_ = true;
      }
    }
  }

  void End(absl::string_view name) override {
    if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "is") {
      in_inline_ = false;
    } else if (name == "rPh") {
      --phonetic_;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      if (!has_value_) return;
      std::string text = CellText();
      if (!error.ok() || text.empty()) return;
      if (column_ >= book_.limits.max_columns) {
        error = absl::InvalidArgumentError(absl::StrFormat(
            "%s!%s%d: a value past column %s; a Junheng table has fewer "
            "columns",
            sheet_.name, ColumnLetters(column_), row_.number,
            ColumnLetters(book_.limits.max_columns - 1)));
        return;
      }
      row_.cells.push_back({column_, std::move(text)});
    } else if (name == "row" && in_row_) {
      in_row_ = false;
      ApplyMerges();
      if (row_.cells.empty()) return;
      if (absl::Status s = sink_.OnRow(row_); !s.ok()) error = std::move(s);
    }
  }

  void Text(absl::string_view text) override {
    if (!in_value_) return;
    if (static_cast<int64_t>(value_.size() + text.size()) >
        book_.limits.max_cell_bytes) {
      error = absl::InvalidArgumentError(absl::StrFormat(
          "%s!%s%d holds more than %d bytes", sheet_.name,
          ColumnLetters(column_), row_.number, book_.limits.max_cell_bytes));
      return;
    }
    value_.append(text.data(), text.size());
  }

 private:
  std::string CellText() {
    if (type_ == "s") {
      size_t index = 0;
      if (!absl::SimpleAtoi(value_, &index) ||
          index >= book_.string_ends.size()) {
        error = NotWorkbook(
            absl::StrFormat("%s!%s%d refers to shared string %s of %d",
                            sheet_.name, ColumnLetters(column_), row_.number,
                            value_, book_.string_ends.size()));
        return "";
      }
      return std::string(book_.SharedString(index));
    }
    if (type_ == "inlineStr" || type_ == "str") {
      return DecodeEscapes(std::move(value_));
    }
    if (type_ == "b") {
      return value_ == "1" ? "true" : value_ == "0" ? "false" : value_;
    }
    if (type_ == "e" || type_ == "d") return value_;  // "#N/A", ISO dates
    const bool date = style_ >= 0 &&
                      static_cast<size_t>(style_) < book_.date_styles.size() &&
                      book_.date_styles[static_cast<size_t>(style_)];
    const absl::string_view raw = absl::StripAsciiWhitespace(value_);
    return date ? FormatDate(raw, book_.date1904) : FormatNumber(raw);
  }

  // Every cell of a merged range reads as its top-left cell.
  void ApplyMerges() {
    if (merges_ == nullptr) return;
    const int64_t n = row_.number;
    while (next_merge_ < merges_->size() && (*merges_)[next_merge_].top <= n) {
      Merge& m = (*merges_)[next_merge_++];
      if (m.bottom < n) continue;
      if (m.top == n) {
        for (const Cell& c : row_.cells) {
          if (c.column == m.left) m.value = c.text;
        }
      }
      active_.push_back(&m);
    }
    std::erase_if(active_, [n](const Merge* m) { return m->bottom < n; });
    bool added = false;
    for (const Merge* m : active_) {
      if (m->value.empty()) continue;
      const int right = std::min(m->right, book_.limits.max_columns - 1);
      for (int c = m->left; c <= right; ++c) {
        if (n == m->top && c == m->left) continue;
        auto it =
            std::find_if(row_.cells.begin(), row_.cells.end(),
                         [c](const Cell& cell) { return cell.column == c; });
        if (it == row_.cells.end()) {
          row_.cells.push_back({c, m->value});
          added = true;
        }
      }
    }
    if (added) {
      std::stable_sort(
          row_.cells.begin(), row_.cells.end(),
          [](const Cell& a, const Cell& b) { return a.column < b.column; });
    }
  }

  const Workbook::Impl& book_;
  const SheetInfo& sheet_;
  std::vector<Merge>* merges_;
  RowSink& sink_;
  size_t next_merge_ = 0;
  std::vector<Merge*> active_;

  Row row_;
  bool in_row_ = false;
  bool in_cell_ = false;
  bool in_value_ = false;
  bool in_inline_ = false;
  bool has_value_ = false;
  int phonetic_ = 0;
  int column_ = -1;
  std::string type_;
  int style_ = 0;
  std::string value_;
};

}  // namespace

// ---------------------------------------------------------------- public

Workbook::Workbook(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workbook::~Workbook() = default;

absl::StatusOr<std::unique_ptr<Workbook>> Workbook::OpenFd(
    int fd, WorkbookLimits limits) {
  unsigned char magic[8] = {};
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  if (got < 0) {
    return absl::InternalError(absl::StrCat(
        "cannot read the spooled workbook: ", std::strerror(errno)));
  }
  if (got == 0) return NotWorkbook("the file is empty");
  static constexpr unsigned char kOle[] = {0xD0, 0xCF, 0x11, 0xE0,
                                           0xA1, 0xB1, 0x1A, 0xE1};
  if (got == 8 && std::memcmp(magic, kOle, 8) == 0) {
    return NotWorkbook(
        "this is an Excel 97-2003 workbook (.xls) or another old Office "
        "file; open it and save it as .xlsx (Excel Workbook)");
  }
  if (got < 4 || std::memcmp(magic, "PK\x03\x04", 4) != 0) {
    return NotWorkbook(
        "an .xlsx file is a zip archive and this file does not start as one "
        "does; save the spreadsheet as .xlsx (or send CSV as CSV)");
  }
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    return absl::InternalError(absl::StrCat("dup: ", std::strerror(errno)));
  }
  std::FILE* file = ::fdopen(copy, "rb");
  if (file == nullptr) {
    ::close(copy);
    return absl::InternalError(absl::StrCat("fdopen: ", std::strerror(errno)));
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_filep_create(file, 0, -1, &error);
  if (source == nullptr) {
    std::fclose(file);
    std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return absl::InternalError(absl::StrCat("libzip: ", why));
  }
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (impl->zip == nullptr) {
    zip_source_free(source);
    std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return NotWorkbook(absl::StrCat("the zip archive cannot be read (", why,
                                    "); the file may be cut short or damaged"));
  }
  zip_error_fini(&error);
  if (absl::Status s = impl->Load(); !s.ok()) return s;
  return std::unique_ptr<Workbook>(new Workbook(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Workbook>> Workbook::Open(
    const std::string& path, WorkbookLimits limits) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  auto book = OpenFd(fd, limits);
  ::close(fd);
  return book;
}

const std::vector<SheetInfo>& Workbook::sheets() const { return impl_->sheets; }

absl::Status Workbook::ReadSheet(const SheetInfo& sheet, RowSink& sink,
                                 int* max_column) {
  std::vector<Merge> merges;
  SheetScanHandler scan(impl_->limits, &merges);
  if (absl::Status s = impl_->ParsePart(sheet.part, scan); !s.ok()) return s;
  if (max_column != nullptr) *max_column = scan.max_column;
  SheetRowsHandler rows(*impl_, sheet, &merges, sink);
  return impl_->ParsePart(sheet.part, rows);
}

absl::Status Workbook::ReadSheetTop(const SheetInfo& sheet, RowSink& sink) {
  SheetRowsHandler rows(*impl_, sheet, nullptr, sink);
  return impl_->ParsePart(sheet.part, rows);
}

}  // namespace junheng::checklist::xlsx
