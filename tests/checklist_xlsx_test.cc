// Excel in and out through the real service and CLI: a workbook written by
// openpyxl imports and evaluates exactly as the same data from CSV, a bad
// cell is named by sheet and cell with nothing stored, the template and the
// report's tables are read back by openpyxl, and the HTML report prints to
// A4 pages with headless Chromium. Also the CLI's tables with Chinese in
// them.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/text_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ReadFile;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kExample =
    std::string(JUNHENG_SOURCE_DIR) + "/examples/county-330106/";

// Runs `body` with Debian's python3 (openpyxl) and argv[1:] = args; returns
// what it printed.
std::string Python(const TempDir& dir, const std::string& body,
                   const std::vector<std::string>& args) {
  const std::string script = dir.File("script.py");
  std::ofstream(script) << "import sys, csv, zipfile, openpyxl\n" << body;
  std::string command = "/usr/bin/python3 " + script;
  for (const auto& a : args) absl::StrAppend(&command, " '", a, "'");
  absl::StrAppend(&command, " > ", dir.File("py.out"));
  EXPECT_EQ(std::system(command.c_str()), 0) << body;
  return ReadFile(dir.File("py.out"));
}

// A CSV file of the contract into a sheet: numbers as numbers, codes and
// words as text. argv: out.xlsx schools.csv counties.csv [first_row]
constexpr char kCsvToXlsx[] = R"py(
out, schools, counties = sys.argv[1:4]
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
text = {"county_code", "school_code", "school_name", "county_name",
        "province_code", "school_type", "location"}
wb = openpyxl.load_workbook(out) if first else openpyxl.Workbook()
def fill(ws, path):
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    names = [c.value for c in ws[2]] if first else rows[0]
    if not first: ws.append(rows[0])
    for i, r in enumerate(rows[1:]):
        for name, v in zip(rows[0], r):
            if v == "": continue
            if name in text: value = v
            elif v in ("true", "false"): value = v == "true"
            else:
                f = float(v)
                value = int(f) if f.is_integer() and "." not in v else f
            ws.cell(row=first + i if first else i + 2,
                    column=names.index(name) + 1, value=value)
if first:
    fill(wb["学校基本情况"], schools); fill(wb["县级指标"], counties)
else:
    ws = wb.active; ws.title = "学校基本情况"
    # numbers stored as text, for one column
    fill(ws, schools)
    for row in ws.iter_rows(min_row=2):
        if row[8].value is not None: row[8].value = str(row[8].value)
    fill(wb.create_sheet("县级指标"), counties)
wb.save(out)
)py";

class ChecklistXlsxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    checklist_ = std::make_unique<ServerProcess>(
        "junheng-checklist",
        std::vector<std::string>{"--data_dir=" + data_.path(),
                                 std::string("--standards_dir=") +
                                     JUNHENG_SOURCE_DIR + "/standards"});
    ASSERT_TRUE(checklist_->Start().ok()) << checklist_->Stderr();
    env_ = {"JUNHENG_CHECKLIST_ADDR=" + checklist_->address()};
  }

  testing::CommandResult Cli(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"checklist"};
    all.insert(all.end(), args.begin(), args.end());
    return RunCommand("junheng", all, env_, absl::Seconds(120));
  }

  // The evaluation's JSON without the revision numbers, which differ.
  std::string Evaluation() {
    auto r = Cli({"evaluate", "--county", "330106", "--year", "2025",
                  "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out;
    for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
      if (!absl::StrContains(line, "\"revision\""))
        absl::StrAppend(&out, line, "\n");
    }
    return out;
  }

  TempDir data_, work_;
  std::unique_ptr<ServerProcess> checklist_;
  std::vector<std::string> env_;
};

TEST_F(ChecklistXlsxTest, AWorkbookEvaluatesExactlyAsTheSameDataFromCsv) {
  ASSERT_EQ(Cli({"import", "schools", kExample + "schools.csv"}).exit_code, 0);
  ASSERT_EQ(Cli({"import", "counties", kExample + "counties.csv"}).exit_code,
            0);
  const std::string from_csv = Evaluation();
  auto report_csv = Cli({"report", "--county", "330106", "--year", "2025",
                         "--school", "2133010626"});
  const std::string book = work_.File("county.xlsx");
  Python(work_, kCsvToXlsx,
         {book, kExample + "schools.csv", kExample + "counties.csv"});
  auto schools = Cli({"import", "schools", book});
  ASSERT_EQ(schools.exit_code, 0) << schools.err;
  EXPECT_THAT(schools.out, HasSubstr("imported 40 rows as revision 3"));
  auto counties = Cli({"import", "counties", book});
  ASSERT_EQ(counties.exit_code, 0) << counties.err;
  EXPECT_EQ(Evaluation(), from_csv);
  // The stored cells are the same too.
  auto report_xlsx = Cli({"report", "--county", "330106", "--year", "2025",
                          "--school", "2133010626"});
  auto body = [](const std::string& s) { return s.substr(s.find('\n')); };
  EXPECT_EQ(body(report_xlsx.out), body(report_csv.out));
}

TEST_F(ChecklistXlsxTest, ABadCellIsNamedBySheetAndCellAndNothingIsStored) {
  const std::string book = work_.File("bad.xlsx");
  Python(work_, kCsvToXlsx,
         {book, kExample + "schools.csv", kExample + "counties.csv"});
  Python(work_,
         "wb = openpyxl.load_workbook(sys.argv[1]); ws = wb['学校基本情况']\n"
         "ws['L12'] = '十二'; ws['E30'] = 'college'; wb.save(sys.argv[1])\n",
         {book});
  auto bad = Cli({"import", "schools", book});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT: sheet 学校基本情况 has 2 "
                                 "errors; nothing was imported"));
  EXPECT_THAT(bad.err, HasSubstr("学校基本情况!L12 (p_teachers): expected a "
                                 "number, got \"十二\""));
  EXPECT_THAT(bad.err, HasSubstr("学校基本情况!E30 (school_type)"));
  // Nothing stored: the next import is the first revision.
  auto good = Cli({"import", "schools", kExample + "schools.csv"});
  EXPECT_THAT(good.out, HasSubstr("as revision 1 "));
}

TEST_F(ChecklistXlsxTest, NotAWorkbookAndAZipBombAreInvalidArgument) {
  WriteFile(work_.File("schools.xlsx"), ReadFile(kExample + "schools.csv"));
  auto csv = Cli({"import", "schools", work_.File("schools.xlsx")});
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_THAT(csv.err,
              HasSubstr("not an .xlsx workbook: an .xlsx file is a zip"));
  const std::string bomb = work_.File("bomb.xlsx");
  Python(work_, R"py(
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
z.writestr("xl/workbook.xml", '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="学校基本情况" sheetId="1" r:id="a"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="a" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + "<row/>" * (40 << 20) + "</sheetData></worksheet>")
z.close()
)py",
         {bomb});
  auto boom = Cli({"import", "schools", bomb});
  EXPECT_EQ(boom.exit_code, 1);
  EXPECT_THAT(boom.err, HasSubstr("zip bomb"));
  // The service is still there.
  EXPECT_EQ(Cli({"import", "schools", kExample + "schools.csv"}).exit_code, 0);
}

TEST_F(ChecklistXlsxTest, TemplateAndReportTablesReadBackByOpenpyxl) {
  const std::string tmpl = work_.File("template.xlsx");
  auto t = Cli({"template", "--format", "xlsx", "-o", tmpl});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(
      Python(work_, R"py(
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
ws = wb["学校基本情况"]
print(ws["A1"].value, ws["A2"].value, ws["I1"].value, ws["I2"].value)
)py",
             {tmpl}),
      "['学校基本情况', '县级指标', '说明']\n县级行政区划代码 county_code "
      "小学部在校生数 p_students\n");
  // A county fills the template in and imports it.
  Python(work_, kCsvToXlsx,
         {tmpl, kExample + "schools.csv", kExample + "counties.csv", "3"});
  auto s = Cli({"import", "schools", tmpl});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  ASSERT_EQ(Cli({"import", "counties", tmpl}).exit_code, 0);
  // A name a spreadsheet would run as a formula.
  std::string schools = ReadFile(kExample + "schools.csv");
  const std::string name = "钱塘示范县实验小学";
  schools.replace(schools.find(name), name.size(),
                  "\"=HYPERLINK(\"\"http://x\"\")\"");
  WriteFile(work_.File("schools.csv"), schools);
  ASSERT_EQ(Cli({"import", "schools", work_.File("schools.csv")}).exit_code, 0);

  const std::string report = work_.File("report.xlsx");
  auto r = Cli({"evaluate", "--county", "330106", "--year", "2025", "--format",
                "xlsx", "-o", report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = Cli(
      {"evaluate", "--county", "330106", "--year", "2025", "--format", "json"});
  WriteFile(work_.File("eval.json"), json.out);
  const std::string got = Python(work_, R"py(
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
print(wb["概要"]["B3"].value)
import json
items = wb["未达标项目"]
print(items.max_row - 1 == len(json.load(open(sys.argv[2]))["failing_items"]))
cv = wb["差异系数"]; print(cv["A2"].value, cv["C2"].value, round(cv["H2"].value, 3), cv["I2"].value)
schools = wb["学校指标"]
for row in schools.iter_rows(min_row=2):
    if "HYPERLINK" in str(row[1].value):
        print(row[1].data_type, row[1].value)
)py",
                                 {report, work_.File("eval.json")});
  std::vector<std::string> lines = absl::StrSplit(got, '\n');
  ASSERT_GE(lines.size(), 5u) << got;
  EXPECT_EQ(lines[0],
            "['概要', '未达标项目', '学校指标', '差异系数', '领域与指标']");
  EXPECT_EQ(lines[1], "未达标 FAIL");
  EXPECT_EQ(lines[2], "True");  // as many failing items as returned
  EXPECT_THAT(lines[3], HasSubstr("R1 小学 0.067 0.5"));
  EXPECT_EQ(lines[4], "s '=HYPERLINK(\"http://x\")");
}

TEST_F(ChecklistXlsxTest, TheHtmlReportPrintsToA4Pages) {
  ASSERT_EQ(Cli({"import", "schools", kExample + "schools.csv"}).exit_code, 0);
  ASSERT_EQ(Cli({"import", "counties", kExample + "counties.csv"}).exit_code,
            0);
  const std::string html = work_.File("report.html");
  auto r = Cli({"evaluate", "--county", "330106", "--year", "2025", "--format",
                "html", "-o", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = ReadFile(html);
  EXPECT_THAT(page, HasSubstr("<svg"));
  EXPECT_THAT(page, HasSubstr("@page { size: A4"));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  const std::string pdf = work_.File("report.pdf");
  const std::string command = absl::StrCat(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu "
      "--no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --no-pdf-header-footer "
      "--user-data-dir=",
      work_.File("chromium"), " --print-to-pdf=", pdf, " file://", html, " > ",
      work_.File("chromium.log"), " 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0)
      << ReadFile(work_.File("chromium.log"));
  ASSERT_EQ(
      std::system(
          absl::StrCat("pdfinfo ", pdf, " > ", work_.File("info.txt")).c_str()),
      0);
  const std::string info = ReadFile(work_.File("info.txt"));
  EXPECT_THAT(info, HasSubstr("(A4)"));
  int pages = 0;
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (absl::ConsumePrefix(&line, "Pages:")) {
      ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &pages));
    }
  }
  EXPECT_GE(pages, 5);
  ASSERT_EQ(
      std::system(absl::StrCat("pdftotext ", pdf, " ", work_.File("report.txt"))
                      .c_str()),
      0);
  const std::string text = ReadFile(work_.File("report.txt"));
  EXPECT_THAT(text, HasSubstr("钱塘示范县"));
  EXPECT_THAT(text, HasSubstr("校际差异系数"));
  EXPECT_THAT(text, HasSubstr("学校指标一览"));
  std::printf("report: %d A4 pages\n", pages);
}

TEST(TextTableTest, ChineseIsTwoColumnsWide) {
  using cli::DisplayWidth;
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("钱塘示范县"), 10);
  EXPECT_EQ(DisplayWidth("X̄"), 1);
  EXPECT_EQ(DisplayWidth("（ｍ）"), 6);
  EXPECT_EQ(cli::PadRight("小学", 6), "小学  ");
  cli::TextTable table({"ID", "NAME", "STATE"});
  table.AddRow({"1", "钱塘示范县教育局", "live"});
  table.AddRow({"22", "admin", "revoked"});
  const std::vector<std::string> lines =
      absl::StrSplit(table.Render(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) {
    // STATE starts at the same terminal column on every line.
    const size_t at = line.rfind("  ") + 2;
    EXPECT_EQ(DisplayWidth(line.substr(0, at)), 22) << line;
  }
}

TEST(TextTableTest, AdminTokenListLinesUp) {
  TempDir dir;
  const std::string principals = dir.File("principals.textproto");
  testing::CreateToken(principals, "county", "counties/330106",
                       "钱塘示范县教育局");
  testing::CreateToken(principals, "inspector", "nation", "inspector-li");
  auto list = RunCommand(
      "junheng", {"admin", "token", "list", "--principals", principals});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::vector<std::string> lines =
      absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << list.out;
  const int expires =
      cli::DisplayWidth(lines[0].substr(0, lines[0].find("EXPIRES")));
  for (const auto& line : lines) {
    const size_t at = line.find(lines[0] == line ? "EXPIRES" : "never");
    ASSERT_NE(at, std::string::npos) << line;
    EXPECT_EQ(cli::DisplayWidth(line.substr(0, at)), expires) << list.out;
  }
}

}  // namespace
}  // namespace junheng
