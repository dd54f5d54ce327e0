// The .xlsx reader and a sheet read as a contract file, on workbooks written
// by another program (openpyxl, or Python's zipfile for the shapes openpyxl
// does not write: inline strings, the 1904 date system, prefixed XML, zip
// bombs).
#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/xlsx/column_titles.h"
#include "checklist_service/xlsx/sheet_table.h"
#include "checklist_service/xlsx/workbook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng::checklist::xlsx {
namespace {

using ::junheng::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Runs a Python script with Debian's python3 (which has openpyxl), with
// OUT bound to `out`.
void Python(const TempDir& dir, const std::string& out,
            const std::string& body) {
  const std::string script = dir.File("make.py");
  std::ofstream(script) << "import sys, zipfile, datetime\nOUT = sys.argv[1]\n"
                        << body;
  const std::string command =
      absl::StrCat("/usr/bin/python3 ", script, " ", out);
  ASSERT_EQ(std::system(command.c_str()), 0) << body;
}

// A workbook by hand: the smallest parts, and `sheet` as sheet1's XML.
std::string HandMade(const std::string& sheet, const std::string& extra = "") {
  return absl::StrCat(R"py(
z = zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED)
z.writestr("[Content_Types].xml", "<Types/>")
z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:workbookPr date1904="1"/><x:sheets><x:sheet name="S" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
z.writestr("xl/styles.xml", '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs></styleSheet>')
)py",
                      extra, "z.writestr(\"xl/worksheets/sheet1.xml\", ", sheet,
                      ")\nz.close()\n");
}

// Every row of the first sheet as "ROW: COL=text, …".
class Collect final : public RowSink {
 public:
  absl::Status OnRow(const Row& row) override {
    std::vector<std::string> cells;
    for (const Cell& c : row.cells) {
      cells.push_back(absl::StrCat(ColumnLetters(c.column), "=", c.text));
    }
    rows.push_back(absl::StrCat(row.number, ": ", absl::StrJoin(cells, ", ")));
    return absl::OkStatus();
  }
  std::vector<std::string> rows;
};

absl::StatusOr<std::vector<std::string>> ReadAll(const std::string& path,
                                                 WorkbookLimits limits = {}) {
  auto book = Workbook::Open(path, limits);
  if (!book.ok()) return book.status();
  Collect collect;
  absl::Status s = (*book)->ReadSheet((*book)->sheets()[0], collect);
  if (!s.ok()) return s;
  return collect.rows;
}

TEST(ColumnLettersTest, AsExcelNamesThem) {
  EXPECT_EQ(ColumnLetters(0), "A");
  EXPECT_EQ(ColumnLetters(25), "Z");
  EXPECT_EQ(ColumnLetters(26), "AA");
  EXPECT_EQ(ColumnLetters(16383), "XFD");
}

TEST(WorkbookTest, CellsReadAsAPersonSeesThem) {
  TempDir dir;
  const std::string out = dir.File("cells.xlsx");
  Python(dir, out, R"py(
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "数据"
ws.append([2133010601, 0.953, datetime.datetime(2025, 9, 1), True, "文本",
           "40", datetime.datetime(2025, 9, 1, 8, 30), -0.0, 1e20, "  x "])
ws["C1"].number_format = "yyyy-mm-dd"
ws["K1"] = 0.5; ws["K1"].number_format = "0.0%"
wb.save(OUT)
)py");
  auto rows = ReadAll(out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(*rows, ElementsAre("1: A=2133010601, B=0.953, C=2025-09-01, "
                                 "D=true, E=文本, F=40, G=2025-09-01 08:30:00, "
                                 "H=0, I=1e+20, J=  x , K=0.5"));
}

TEST(WorkbookTest, InlineStrings1904DatesPrefixedXmlAndEscapes) {
  TempDir dir;
  const std::string out = dir.File("hand.xlsx");
  Python(
      dir, out,
      HandMade(
          R"py('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
 '<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:r><x:t>钱塘</x:t></x:r><x:r><x:t xml:space="preserve"> 小学</x:t></x:r><x:rPh><x:t>qiantang</x:t></x:rPh></x:is></x:c>'
 '<x:c r="C2" s="1"><x:v>0</x:v></x:c><x:c r="D2" t="str"><x:f>A1&amp;"x"</x:f><x:v>a_x000D_b</x:v></x:c><x:c r="E2" t="e"><x:v>#DIV/0!</x:v></x:c>'
 '<x:c r="F2" s="2"><x:v>0.95299999999999996</x:v></x:c><x:c r="G2"/></x:row>'
 '<x:row r="9"><x:c r="A9" s="1"/></x:row>'
 '</x:sheetData></x:worksheet>')py"));
  auto rows = ReadAll(out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  // A1904 serial 0 is 1904-01-01; a styled cell without a value is no cell,
  // and a row of those no row.
  EXPECT_THAT(*rows, ElementsAre("2: B=钱塘 小学, C=1904-01-01, D=a\rb, "
                                 "E=#DIV/0!, F=0.953"));
}

TEST(WorkbookTest, MergedCellsReadAsTheirTopLeftCell) {
  TempDir dir;
  const std::string out = dir.File("merged.xlsx");
  Python(dir, out, R"py(
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active
ws["A1"] = "学校标识码"; ws.merge_cells("A1:A2")
ws["B1"] = "小学部"; ws.merge_cells("B1:C1")
ws["B2"] = "在校生数"; ws["C2"] = "班级数"
wb.save(OUT)
)py");
  auto rows = ReadAll(out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(*rows, ElementsAre("1: A=学校标识码, B=小学部, C=小学部",
                                 "2: A=学校标识码, B=在校生数, C=班级数"));
}

TEST(WorkbookTest, WhatIsNotAWorkbookIsSaidPlainly) {
  TempDir dir;
  struct Case {
    std::string name, python, expected;
  };
  const std::vector<Case> cases = {
      {"empty", "open(OUT, 'wb').close()", "the file is empty"},
      {"csv", "open(OUT, 'w').write('county_code,school_code\\n')",
       "does not start as one does"},
      {"xls",
       "open(OUT, 'wb').write(bytes.fromhex('D0CF11E0A1B11AE1') + b'0' * 500)",
       "Excel 97-2003"},
      {"random",
       "import random; random.seed(7); open(OUT, 'wb').write(b'PK\\x03\\x04' + "
       "bytes(random.randrange(256) for _ in range(5000)))",
       "cannot be read"},
      {"docx",
       "z = zipfile.ZipFile(OUT, 'w'); z.writestr('word/document.xml', "
       "'<w/>'); z.close()",
       "no workbook in it"},
      {"ods",
       "z = zipfile.ZipFile(OUT, 'w'); z.writestr('mimetype', "
       "'application/vnd.oasis.opendocument.spreadsheet'); "
       "z.writestr('content.xml', '<x/>'); z.close()",
       "OpenDocument"},
  };
  for (const Case& c : cases) {
    const std::string out = dir.File(c.name + ".xlsx");
    Python(dir, out, c.python);
    auto book = Workbook::Open(out);
    ASSERT_FALSE(book.ok()) << c.name;
    EXPECT_TRUE(absl::IsInvalidArgument(book.status())) << book.status();
    EXPECT_THAT(book.status().message(), HasSubstr("not an .xlsx workbook"));
    EXPECT_THAT(book.status().message(), HasSubstr(c.expected)) << c.name;
  }
  // A workbook cut short (an interrupted download).
  const std::string whole = dir.File("whole.xlsx");
  Python(dir, whole,
         "import openpyxl; wb = openpyxl.Workbook(); wb.active['A1'] = 1; "
         "wb.save(OUT)");
  const std::string bytes = junheng::testing::ReadFile(whole);
  junheng::testing::WriteFile(dir.File("cut.xlsx"),
                              bytes.substr(0, bytes.size() / 2));
  auto cut = Workbook::Open(dir.File("cut.xlsx"));
  EXPECT_TRUE(absl::IsInvalidArgument(cut.status())) << cut.status();
}

TEST(WorkbookTest, ZipBombsAndDtdsAreRefused) {
  TempDir dir;
  // 256 MiB of spaces deflate to about 250 KiB: a ratio of ~1,000.
  const std::string bomb = dir.File("bomb.xlsx");
  Python(
      dir, bomb,
      HandMade(
          R"py('<worksheet><sheetData>' + ' ' * (256 << 20) + '</sheetData></worksheet>')py"));
  EXPECT_LT(junheng::testing::ReadFile(bomb).size(), 2u << 20);
  auto rows = ReadAll(bomb);
  ASSERT_FALSE(rows.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(rows.status())) << rows.status();
  EXPECT_THAT(rows.status().message(), HasSubstr("zip bomb"));

  // The absolute bound, for a part that compresses like a real one.
  WorkbookLimits small;
  small.max_part_bytes = 1 << 20;
  const std::string big = dir.File("big.xlsx");
  Python(
      dir, big,
      HandMade(
          R"py('<worksheet><sheetData>' + ''.join('<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7919) for i in range(1, 60000)) + '</sheetData></worksheet>')py"));
  rows = ReadAll(big, small);
  EXPECT_THAT(rows.status().message(), HasSubstr("more than 1 MiB"));

  const std::string dtd = dir.File("dtd.xlsx");
  Python(
      dir, dtd,
      HandMade(
          R"py('<!DOCTYPE lolz [<!ENTITY lol "lol">]><worksheet><sheetData/></worksheet>')py"));
  rows = ReadAll(dtd);
  EXPECT_TRUE(absl::IsInvalidArgument(rows.status())) << rows.status();
  EXPECT_THAT(rows.status().message(), HasSubstr("DTD"));
}

int64_t PeakRssKiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(WorkbookTest, AHugeSheetStreamsInFlatMemory) {
  TempDir dir;
  const std::string out = dir.File("huge.xlsx");
  // 300,000 rows of 12 cells: about 140 MiB of sheet XML, written in pieces.
  Python(dir, out, R"py(
z = zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED)
z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="a" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="big" sheetId="1" r:id="s"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
    f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for start in range(1, 300001, 1000):
        f.write("".join('<row r="%d">%s</row>' % (r, "".join(
            '<c r="%s%d"><v>%d.%d</v></c>' % (chr(65 + c), r, r * 31 + c, c)
            for c in range(12))) for r in range(start, start + 1000)).encode())
    f.write(b'</sheetData></worksheet>')
z.close()
)py");
  auto book = Workbook::Open(out);
  ASSERT_TRUE(book.ok()) << book.status();
  struct Count final : public RowSink {
    absl::Status OnRow(const Row& row) override {
      ++rows;
      cells += static_cast<int64_t>(row.cells.size());
      return absl::OkStatus();
    }
    int64_t rows = 0, cells = 0;
  } count;
  const int64_t before = PeakRssKiB();
  int max_column = 0;
  ASSERT_TRUE(
      (*book)->ReadSheet((*book)->sheets()[0], count, &max_column).ok());
  const int64_t grown = PeakRssKiB() - before;
  EXPECT_EQ(count.rows, 300000);
  EXPECT_EQ(count.cells, 3600000);
  EXPECT_EQ(max_column, 11);
  std::printf("huge sheet: %lld rows read, peak RSS grew %lld KiB\n",
              static_cast<long long>(count.rows),
              static_cast<long long>(grown));
  EXPECT_LT(grown, 16 * 1024);
}

// ---------------------------------------------------------------- tables

struct Imported {
  absl::Status status;
  std::vector<SchoolStats> rows;
  std::vector<std::string> errors;  // "CELL column: reason"
};

Imported ImportSchools(const std::string& path,
                       const std::string& requested_sheet = "") {
  Imported out;
  auto book = Workbook::Open(path);
  if (!book.ok()) return {book.status(), {}, {}};
  auto sheet = ChooseSheet(**book, Table::kSchools, requested_sheet);
  if (!sheet.ok()) return {sheet.status(), {}, {}};
  csv::SchoolsImporter importer;
  std::optional<SheetTable> table;
  int max_column = -1;
  struct Forward final : public RowSink {
    std::optional<SheetTable>* table;
    csv::SchoolsImporter* importer;
    const int* max_column;
    std::string sheet;
    absl::Status OnRow(const Row& row) override {
      if (!*table) {
        table->emplace(
            Table::kSchools, sheet, *max_column + 1,
            [this](const csv::CsvRecord& r) { (void)importer->FeedRecord(r); });
      }
      return (*table)->OnRow(row);
    }
  } forward;
  forward.table = &table;
  forward.importer = &importer;
  forward.max_column = &max_column;
  forward.sheet = sheet->name;
  out.status = (*book)->ReadSheet(*sheet, forward, &max_column);
  if (!out.status.ok()) return out;
  if (table) table->Finish();
  auto result = importer.Finish();
  out.status = result.status();
  if (result.ok()) out.rows = result->rows;
  for (const auto& e : importer.errors()) {
    out.errors.push_back(absl::StrCat(table ? table->Locate(e) : "", " ",
                                      e.column, ": ", e.reason));
  }
  return out;
}

constexpr char kSchoolRows[] = R"py(
rows = [
  ["330106", "2133010601", "实验小学", 2025, "primary", "urban", "false", "true", 2160, 49, 45, 126],
  ["330106", "2133010602", "城东小学", "2025", "primary", "urban", False, True, "1860", "42", "45", "109"],
]
)py";

TEST(SheetTableTest, TheTemplatesTwoHeaderRowsAndATitleAbove) {
  TempDir dir;
  const std::string out = dir.File("t.xlsx");
  Python(dir, out, absl::StrCat(kSchoolRows, R"py(
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "封面"
ws["A1"] = "说明"
ws = wb.create_sheet("学校基本情况")
ws["A1"] = "附表1 学校基本情况表"; ws.merge_cells("A1:L1")
ws.append(["县级行政区划代码", "学校标识码", "学校名称", "学年", "学校类型", "城乡分类（城区/镇区/乡村）", "寄宿制学校", "学校章程", "小学部在校生数", "小学部 班级数", "小学部最大班额", "小学部专任教师数"])
ws.append(["county_code", "school_code", "school_name", "year", "school_type", "location", "boarding", "has_charter", "p_students", "p_classes", "p_max_class_size", "p_teachers"])
for r in rows: ws.append(r)
for r in range(10, 40): ws.cell(row=r, column=3).number_format = "@"
wb.save(OUT)
)py"));
  Imported got = ImportSchools(out);
  ASSERT_TRUE(got.status.ok()) << got.status << absl::StrJoin(got.errors, "\n");
  ASSERT_EQ(got.rows.size(), 2u);
  EXPECT_EQ(got.rows[1].school_name, "城东小学");
  EXPECT_EQ(got.rows[1].primary.students, 1860);
  EXPECT_EQ(got.rows[0].boarding, false);
}

TEST(SheetTableTest, MergedGroupHeadersAndABadCellNamedBySheetAndCell) {
  TempDir dir;
  const std::string out = dir.File("g.xlsx");
  Python(dir, out, absl::StrCat(kSchoolRows, R"py(
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "学校基本情况"
head = ["县级行政区划代码", "学校标识码", "学校名称", "学年", "学校类型", "城乡分类", "寄宿制学校", "学校章程"]
for i, h in enumerate(head):
    ws.cell(row=1, column=i + 1, value=h); ws.merge_cells(start_row=1, start_column=i + 1, end_row=2, end_column=i + 1)
ws["I1"] = "小学部"; ws.merge_cells("I1:L1")
for i, h in enumerate(["在校生数", "班级数", "最大班额", "专任教师数"]):
    ws.cell(row=2, column=9 + i, value=h)
for r in rows: ws.append(r)
ws["L4"] = "十二"
wb.save(OUT)
)py"));
  Imported got = ImportSchools(out);
  EXPECT_TRUE(absl::IsInvalidArgument(got.status)) << got.status;
  EXPECT_TRUE(got.rows.empty());
  EXPECT_THAT(
      got.errors,
      ElementsAre(HasSubstr("学校基本情况!L4 p_teachers: expected a number")));
}

TEST(SheetTableTest, DatesAsNumbersAndTheSheetChosenByItsHeader) {
  TempDir dir;
  const std::string out = dir.File("d.xlsx");
  Python(dir, out, absl::StrCat(kSchoolRows, R"py(
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "县"
ws.append(["county_code", "county_name", "year"])
ws = wb.create_sheet("Sheet2")
ws.append(["county_code", "school_code", "school_name", "year", "school_type"])
ws.append(["330106", "2133010601", "实验小学", datetime.datetime(2025, 9, 1), "primary"])
for r in range(3, 50): ws.cell(row=r, column=1).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
wb.save(OUT)
)py"));
  Imported got = ImportSchools(out);
  EXPECT_THAT(got.errors,
              ElementsAre(HasSubstr("Sheet2!D2 year: give the school year by "
                                    "its starting year (2025 for 2025-2026), "
                                    "got \"2025-09-01\"")));
  // Asked for by name, a sheet without the table's columns says so.
  got = ImportSchools(out, "县");
  EXPECT_THAT(got.errors, ::testing::Contains(HasSubstr("required column")));
  got = ImportSchools(out, "没有");
  EXPECT_THAT(got.status.message(), HasSubstr("no sheet named"));
}

TEST(ColumnTitlesTest, EveryContractColumnHasAChineseTitle) {
  for (Table t : {Table::kSchools, Table::kCounties}) {
    for (const ColumnTitle& c : Columns(t)) {
      EXPECT_NE(c.title, c.name) << c.name;
      EXPECT_EQ(ColumnFor(t, c.title), c.name);
      EXPECT_EQ(ColumnFor(t, c.name), c.name);
    }
  }
  EXPECT_EQ(ColumnFor(Table::kSchools, "教学及辅助用房面积(m²)"),
            "teaching_area_m2");
  EXPECT_EQ(ColumnFor(Table::kSchools, "初中", "专任\n教师数"), "j_teachers");
}

}  // namespace
}  // namespace junheng::checklist::xlsx
