#!/usr/bin/env python3
"""Writes the hand-made seed inputs of tests/fuzz/corpus/.

Run once from the repository root (python3 tests/fuzz/make_seeds.py); it only
adds or overwrites the seed-* files, never the inputs the fuzzers found. The
upload headers are encoded by hand (protobuf wire format) so that no protobuf
Python package is needed.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def lines(path, n):
    """The header and the first n rows of a file."""
    text = (ROOT / path).read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[: n + 1])


# ------------------------------------------------------------ csv_import_fuzz
# Control byte: bit 0 counties, bit 1 small record cap, bits 2-7 piece size-1.
def ctl(counties=False, small=False, piece=1):
    return bytes([(1 if counties else 0) | (2 if small else 0) | ((piece - 1) << 2)])


BOM = "\ufeff"
schools = lines("examples/county-330106/schools.csv", 3)
counties = lines("examples/county-330106/counties.csv", 1)
write("csv_import_fuzz", "schools", ctl(piece=7) + schools.encode())
write("csv_import_fuzz", "schools-bom-crlf",
      ctl(piece=1) + (BOM + schools.replace("\n", "\r\n")).encode())
write("csv_import_fuzz", "schools-cr", ctl(piece=3) + schools.replace("\n", "\r").encode())
header, row = schools.splitlines()[0], schools.splitlines()[1].split(",")
row[2] = '"钱塘, ""实验""\r\n小学"'
row[0] = '"330106"'
write("csv_import_fuzz", "schools-quoted", ctl(piece=2) + f"{header}\n{','.join(row)}".encode())
row = schools.splitlines()[1].split(",")
row[8] = ""  # not reported
row[3] = "2025-2026"
row[4] = "Primary"
write("csv_import_fuzz", "schools-bad-cells", ctl(piece=5) + f"{header}\n{','.join(row)}\n".encode())
write("csv_import_fuzz", "schools-small-cap", ctl(small=True, piece=64) + schools.encode())
write("csv_import_fuzz", "schools-bad-testdata",
      ctl(piece=13) + (ROOT / "tests/checklist_csv/testdata/schools_bad.csv").read_bytes())
write("csv_import_fuzz", "counties", ctl(counties=True, piece=4) + counties.encode())
write("csv_import_fuzz", "counties-bom-crlf",
      ctl(counties=True, piece=1) + (BOM + counties.replace("\n", "\r\n")).encode())
write("csv_import_fuzz", "counties-bad-testdata",
      ctl(counties=True, piece=9) + (ROOT / "tests/checklist_csv/testdata/counties_bad.csv").read_bytes())
write("csv_import_fuzz", "counties-unclosed-quote",
      ctl(counties=True, piece=2) + (counties.splitlines()[0] + '\n330106,"西湖区,2025\n').encode())
write("csv_import_fuzz", "counties-misspelt-header",
      ctl(counties=True, piece=6) + b"county_code,county_nmae,year,province_code\n330106,x,2025,33\n")
write("csv_import_fuzz", "long-unknown-header",
      ctl(piece=64) + ("county_code," + ",".join(["school_nmae" + "x" * 200] * 20) + "\n").encode())
write("csv_import_fuzz", "empty-schools", ctl())
write("csv_import_fuzz", "blank-lines", ctl(piece=1) + b"\n\r\n\r")

# ------------------------------------------------------- standard_loader_fuzz
# Control byte modulo 3: 0 one file, 1 with standards/, 2 files split by #~~~.
std = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "standards").glob("*.textproto")}
write("standard_loader_fuzz", "moe-2012-basic", "\x00" + std["moe-2012-basic"])
write("standard_loader_fuzz", "moe-2017-quality", "\x00" + std["moe-2017-quality"])
write("standard_loader_fuzz", "variant-with-repo", "\x01" + std["example-province-2017-quality"].replace(
    'id: "example-province-2017-quality"', 'id: "fuzz-variant"'))
variant_2012 = """id: "v"
base_standard_id: "moe-2012-basic"
indicators {
  code: "B1"
  thresholds { level: LEVEL_ALL comparison: COMPARISON_AT_MOST value: 0.6 }
}
veto_items { code: "X1" description: "x" }
"""
write("standard_loader_fuzz", "variant-split", "\x02" + std["moe-2012-basic"] + "\n#~~~\n" + variant_2012)
write("standard_loader_fuzz", "cycle",
      '\x02id: "a" base_standard_id: "b"\n#~~~\nid: "b" base_standard_id: "a"\n')
write("standard_loader_fuzz", "unknown-enum",
      '\x00id: "x"\nindicators {\n  code: "R1"\n  scope: SCOPE_NOPE\n}\n')
write("standard_loader_fuzz", "truncated", "\x00" + std["moe-2012-basic"][:700])
write("standard_loader_fuzz", "empty", "\x00")

# -------------------------------------------------------- resource_name_fuzz
names = [
    "counties/330106",
    "counties/330106/schools/2133010601",
    "counties/-",
    "counties/330106/evidence/r4-floor-area",
    "counties/330106/schools/2133010601/evidence/r4-floor-area",
    "counties/330106/schools/2133010601/evidence/r4-floor-area/versions/12",
    "counties/330106/evidence/g1/versions/0",
    "counties/330106/evidence/g1/versions/01",
    "counties/330106/evidence/g1/versions/999999999999999999",
    "counties/330106/evidence/g1/versions/9223372036854775808",
    "counties/330106/evidence/g1-",
    "counties/330106/evidence/G1",
    "counties/33010/schools/2133010601",
    "counties//evidence/x",
    "counties/330106/",
    "/counties/330106",
    "counties/-/evidence/x",
    "counties/330106/schools/2133010601/schools/2133010601",
    "counties/３３０１０６",
    "counties/330106/evidence/" + "a" * 64,
    "counties/330106/evidence/县级材料县级材料县级材料县级材料县级材料县级材料县级材料",
]
for i, n in enumerate(names):
    write("resource_name_fuzz", f"{i:02d}", n)


# -------------------------------------------------------- upload_header_fuzz
def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def s(field, value):
    if isinstance(value, str):
        value = value.encode()
    return varint(field << 3 | 2) + varint(len(value)) + value


def v(field, value):
    return varint(field << 3) + varint(value)


def header(parent="counties/330106/schools/2133010601", evidence="r4-floor-area",
           title="生均教学及辅助用房面积台账", codes=("R4",), year=2025,
           content_type="application/pdf", filename="ledger.pdf", sha="", size=None,
           request_id=""):
    out = s(1, parent) + s(2, evidence) + s(3, title)
    for c in codes:
        out += s(4, c)
    if year:
        out += v(5, year)
    if content_type:
        out += s(6, content_type)
    if filename:
        out += s(7, filename)
    if sha:
        out += s(8, sha)
    if size is not None:
        out += v(9, size)
    if request_id:
        out += s(10, request_id)
    return out


headers = {
    "valid": header(),
    "valid-county": header(parent="counties/330106", evidence="g1-layout-plan", codes=("G1", "VE2")),
    "valid-sized": header(sha="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                          size=1 << 21, request_id="7f1d2c9e-upload-1"),
    "negative-size": header(size=-1),
    "bad-fields": header(parent="counties/33010", evidence="R4", codes=("r4", "ABC1", "G1234"),
                         year=1999, content_type="text/plain\x7f", filename="../x.pdf",
                         sha="zz", request_id="\t"),
    "long-parent": header(parent="counties/" + "县" * 30),
    "many-codes": header(codes=tuple(f"R{i}" for i in range(40))),
    "empty": b"",
}
for name, data in headers.items():
    write("upload_header_fuzz", name, data)
