#!/usr/bin/env python3
"""Hand computation of the moe-2017-quality figures for the example county.

Reads schools.csv (CSV contract v1, shared/domain/data-format.md) and prints,
for the 2017 quality standard (shared/domain/standard.md):

  1. per school and part: R1-R7, which of them miss, and the school rule
     (at least 6 of 7 met, every miss at least 85% of its threshold);
  2. the student-weighted difference coefficient of each of R1-R7 among
     primary and among junior parts;
  3. the per-school checks G3, G4, G5, G12, Q3 and Q4, with shortfalls.

Standard library only; independent of the C++ code on purpose, so that its
figures can be used to check the tool's. Usage:

    python3 examples/county-330106/compute.py [path/to/schools.csv]

Conventions (as in standard.md): nine- and twelve-year schools count as one
primary and one junior school; teachers are reported per part; shared
facilities are apportioned by students weighted 1 : 1.1 : 1.32 (primary :
junior : senior); special schools and teaching points under 50 students are
left out of R1-R7 and the coefficients.
"""

import csv
import math
import os
import sys

# --- the standard's data (moe-2017-quality) --------------------------------

FACTORS = {"p": 1.0, "j": 1.1, "h": 1.32}
TEACHING_POINT_MIN_STUDENTS = 50
MIN_MET = 6
FLOOR_FRACTION = 0.85
MAX_COEFFICIENT = {"p": 0.50, "j": 0.45}

# code: (label, numerator, per, primary threshold, junior threshold, unit)
# `per` is 100 for "per 100 students" and 1 for "per student".
R = {
    "R1": ("高于规定学历教师/百生", "teachers_above_degree", 100, 4.2, 5.3, "人"),
    "R2": ("县级以上骨干教师/百生", "backbone_teachers", 100, 1.0, 1.0, "人"),
    "R3": ("体育艺术专任教师/百生", "pe_art_teachers", 100, 0.9, 0.9, "人"),
    "R4": ("生均教学及辅助用房 m²", "teaching_area_m2", 1, 4.5, 5.8, "m²"),
    "R5": ("生均体育运动场馆 m²", "sports_area_m2", 1, 7.5, 10.2, "m²"),
    "R6": ("生均教学仪器设备值 元", "equipment_value_yuan", 1, 2000, 2500, "元"),
    "R7": ("网络多媒体教室/百生", "multimedia_classrooms", 100, 2.3, 2.4, "间"),
}
TEACHER_FIELDS = {"teachers_above_degree", "backbone_teachers",
                  "pe_art_teachers"}

G3_CLASSES_PER_ROOM = 12
G3_MUSIC_M2 = 96
G3_ART_M2 = 90
G4_SINGLE = 2000
G4_THROUGH = 2500
G5_MAX = {"p": 45, "j": 50}
Q4_SHARE = 0.05

LEVEL_NAME = {"p": "小学", "j": "初中"}
THROUGH = ("nine_year", "twelve_year")
REGULAR = ("primary", "junior", "nine_year", "twelve_year")


def num(row, column):
    """The cell as a float, or None when blank (not reported)."""
    cell = (row.get(column) or "").strip()
    return float(cell) if cell else None


def parts_of(row):
    t = row["school_type"]
    if t in ("primary", "teaching_point"):
        return ["p"]
    if t == "junior":
        return ["j"]
    if t in THROUGH:
        return ["p", "j"]
    # A special school reports under whichever prefixes it uses.
    return [lv for lv in ("p", "j") if num(row, lv + "_students") is not None]


def included(row):
    t = row["school_type"]
    if t == "special":
        return False, "特殊教育学校，不计入"
    if t == "teaching_point":
        students = num(row, "p_students")
        if students is None:
            return False, "教学点在校生未填报"
        if students < TEACHING_POINT_MIN_STUDENTS:
            return False, "教学点不足 %d 人，不计入" % TEACHING_POINT_MIN_STUDENTS
    return True, ""


def share(row, level):
    """The part's share of a shared facility (1 for single-level schools)."""
    if row["school_type"] not in THROUGH:
        return 1.0
    p = num(row, "p_students") or 0
    j = num(row, "j_students") or 0
    h = (num(row, "h_students") or 0) if row["school_type"] == "twelve_year" else 0
    total = FACTORS["p"] * p + FACTORS["j"] * j + FACTORS["h"] * h
    return (FACTORS[level] * (p if level == "p" else j)) / total


def part_quantity(row, level, field):
    """The numerator of an R indicator for one part (apportioned if shared)."""
    if field in TEACHER_FIELDS:
        return num(row, level + "_" + field)
    own = num(row, level + "_" + field)  # a per-part override, if given
    if own is not None:
        return own
    whole = num(row, field)
    return None if whole is None else whole * share(row, level)


def r_values(row, level):
    students = num(row, level + "_students")
    out = {}
    for code, (_, field, per, _, _, _) in R.items():
        q = part_quantity(row, level, field)
        out[code] = None if (q is None or not students) else q * per / students
    return students, out


def threshold(code, level):
    return R[code][3] if level == "p" else R[code][4]


def shortfall_text(row, code, level, value, students):
    """What would fix a miss, as a quantity of the indicator's numerator.

    For a shared facility of a nine- or twelve-year school the gap is the
    part's; the whole school would have to add gap / share, since an addition
    to a shared facility is apportioned too.
    """
    _, field, per, _, _, unit = R[code]
    need = threshold(code, level) * students / per
    have = value * students / per
    gap = need - have
    if field in TEACHER_FIELDS:
        return "缺 %d %s" % (math.ceil(need - 1e-9) - round(have), unit)
    if unit == "间":
        text = "缺 %d %s" % (math.ceil(gap - 1e-9), unit)
    else:
        text = "缺 %s %s" % (format(math.ceil(gap - 1e-9), ","), unit)
    s = share(row, level)
    if s < 1:
        text += "（该学段分摊份额 %.4f，全校共享资源需增加约 %s %s）" % (
            s, format(math.ceil(gap / s - 1e-9), ","), unit)
    return text


def coefficient(pairs):
    """Student-weighted CV: pairs of (students, value)."""
    n = sum(p for p, _ in pairs)
    mean = sum(p * x for p, x in pairs) / n
    s = math.sqrt(sum(p * (x - mean) ** 2 for p, x in pairs) / n)
    return mean, s, s / mean


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "schools.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))

    print("== 1. 资源配置 R1–R7（逐校逐学段）")
    print("%-10s %-24s %-2s %5s " % ("school", "name", "lv", "stu")
          + " ".join("%8s" % c for c in R) + "  verdict")
    pools = {"p": {c: [] for c in R}, "j": {c: [] for c in R}}
    failures = []
    for row in rows:
        ok, why = included(row)
        for level in parts_of(row):
            students, vals = r_values(row, level)
            cells = []
            misses = []
            unknown = []
            for code, v in vals.items():
                if row["school_type"] == "special":
                    cells.append("%8s" % "")
                    continue
                if v is None:
                    cells.append("%8s" % "—")
                    unknown.append(code)
                    continue
                t = threshold(code, level)
                mark = "" if v >= t else "*"
                cells.append("%8s" % ("%.3f%s" % (v, mark) if v < 100
                                      else "%.0f%s" % (v, mark)))
                if v < t:
                    misses.append((code, v, t))
                if ok:
                    pools[level][code].append((students, v))
            if not ok:
                verdict = "— " + why
            elif unknown:
                verdict = "未填报 " + " ".join(unknown)
            else:
                met = 7 - len(misses)
                floor_ok = all(v >= FLOOR_FRACTION * t for _, v, t in misses)
                passed = met >= MIN_MET and floor_ok
                verdict = ("PASS" if passed else "FAIL") + " (%d/7" % met
                if misses:
                    verdict += "; " + ", ".join(
                        "%s %.1f%%" % (c, 100 * v / t) for c, v, t in misses)
                verdict += ")"
                for c, v, t in misses:
                    failures.append((row, level, c, v, t, students, passed))
            print("%-10s %-24s %-2s %5d " % (row["school_code"],
                                             row["school_name"][:12],
                                             LEVEL_NAME[level], students or 0)
                  + " ".join(cells) + "  " + verdict)
    print("(* = 未达标; 百分比 = 达到阈值的比例; 学校达标需 ≥%d 项达标且每项 ≥%d%%)"
          % (MIN_MET, round(FLOOR_FRACTION * 100)))

    print()
    print("== R 指标未达标明细")
    for row, level, c, v, t, students, passed in failures:
        print("%s %s %s %s: %.3f < %s (%.1f%%), %s; 该校学段%s" % (
            row["school_code"], row["school_name"], LEVEL_NAME[level], c, v,
            t, 100 * v / t, shortfall_text(row, c, level, v, students),
            "仍达标" if passed else "不达标"))

    print()
    print("== 2. 差异系数（按学生数加权）")
    print("%-4s %-24s %8s %8s %8s %8s %8s %8s" % (
        "code", "indicator", "p.mean", "p.CV", "p.ok", "j.mean", "j.CV", "j.ok"))
    for code in R:
        line = "%-4s %-24s" % (code, R[code][0])
        for level in ("p", "j"):
            mean, _, cv = coefficient(pools[level][code])
            ok = "pass" if cv <= MAX_COEFFICIENT[level] else "FAIL"
            line += " %8.3f %8.3f %8s" % (mean, cv, ok)
        print(line)
    print("(小学 %d 所、初中 %d 所计入; 限值 小学 ≤ %.2f，初中 ≤ %.2f)" % (
        len(pools["p"]["R1"]), len(pools["j"]["R1"]),
        MAX_COEFFICIENT["p"], MAX_COEFFICIENT["j"]))

    print()
    print("== 3. 逐校检查 G3 G4 G5 G12 Q3 Q4（只列未达标或未填报）")
    for row in rows:
        name = "%s %s" % (row["school_code"], row["school_name"])
        t = row["school_type"]
        levels = parts_of(row)
        if t in REGULAR:
            classes = sum(num(row, lv + "_classes") or 0 for lv in levels)
            need = max(1, math.ceil(classes / G3_CLASSES_PER_ROOM - 1e-9))
            for kind, zh, m2 in (("music", "音乐", G3_MUSIC_M2),
                                 ("art", "美术", G3_ART_M2)):
                rooms = num(row, kind + "_rooms")
                area = num(row, kind + "_room_min_area_m2")
                if rooms is None:
                    print("%s G3 %s专用教室数未填报" % (name, zh))
                    continue
                if rooms < need:
                    print("%s G3 %s专用教室 %d 间 < %d 间（%d 个班），缺 %d 间"
                          % (name, zh, rooms, need, classes, need - rooms))
                if rooms > 0 and area is None:
                    print("%s G3 %s_room_min_area_m2 未填报（%s教室面积无法判断）"
                          % (name, kind, zh))
                elif rooms > 0 and area < m2:
                    print("%s G3 最小%s教室 %.0f m² < %d m²" % (name, zh, area, m2))
            total = sum(num(row, lv + "_students") or 0 for lv in levels)
            limit = G4_THROUGH if t in THROUGH else G4_SINGLE
            if total > limit:
                print("%s G4 规模 %d 人 > %d 人，超 %d 人" % (
                    name, total, limit, total - limit))
            charter = row["has_charter"].strip().lower()
            if charter != "true":
                print("%s Q3 has_charter=%s，学校没有经核准的章程" % (
                    name, charter or "未填报"))
            pf = num(row, "public_funds_yuan")
            tf = num(row, "training_funds_yuan")
            if pf is None or tf is None:
                print("%s Q4 经费未填报" % name)
            elif tf < Q4_SHARE * pf:
                print("%s Q4 培训经费 %s 元 = %.2f%% < 5%% of %s 元，缺 %s 元" % (
                    name, format(int(tf), ","), 100 * tf / pf, format(int(pf), ","),
                    format(math.ceil(Q4_SHARE * pf - tf - 1e-9), ",")))
        if included(row)[0]:
            for lv in levels:
                m = num(row, lv + "_max_class_size")
                if m is not None and m > G5_MAX[lv]:
                    print("%s G5 %s最大班额 %d > %d，超 %d 人" % (
                        name, LEVEL_NAME[lv], m, G5_MAX[lv], m - G5_MAX[lv]))
        teachers = sum(num(row, lv + "_teachers") or 0 for lv in levels)
        certified = sum(num(row, lv + "_certified_teachers") or 0 for lv in levels)
        if teachers and certified < teachers:
            print("%s G12 持证 %d / %d = %.1f%% < 100%%，缺 %d 名持证教师" % (
                name, certified, teachers, 100 * certified / teachers,
                teachers - certified))


if __name__ == "__main__":
    main()
