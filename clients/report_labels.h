// Words the county report's files share (the .xlsx tables and the HTML
// page): outcomes, levels and evidence states, Chinese first.
#ifndef JUNHENG_CLIENTS_REPORT_LABELS_H_
#define JUNHENG_CLIENTS_REPORT_LABELS_H_

#include <map>
#include <string>

#include "junheng/v1/checklist.pb.h"

namespace junheng::cli {

inline const char* OutcomeLabel(v1::Outcome o) {
  switch (o) {
    case v1::PASS:
      return "达标 pass";
    case v1::FAIL:
      return "未达标 FAIL";
    case v1::NOT_REPORTED:
      return "数据不全 not reported";
    case v1::NOT_APPLICABLE:
      return "不适用 n/a";
    default:
      return "";
  }
}

inline const char* LevelLabel(v1::Level l) {
  switch (l) {
    case v1::LEVEL_PRIMARY:
      return "小学";
    case v1::LEVEL_JUNIOR:
      return "初中";
    default:
      return "";
  }
}

inline const char* EvidenceLabel(v1::EvidenceStatus s) {
  switch (s) {
    case v1::EVIDENCE_PRESENT:
      return "已归档 present";
    case v1::EVIDENCE_MISSING:
      return "缺失 MISSING";
    case v1::EVIDENCE_UNKNOWN:
      return "未知 unknown";
    case v1::EVIDENCE_NOT_EXPECTED:
      return "—";
    default:
      return "";
  }
}

// What a rectification adds, by its resource column ("sports_area_m2"), in
// the words of the indicator it serves without the 生均/每百名学生 ratio
// (the unit goes with the quantity); "rotation" is the cost of moving
// teachers. An unknown column is shown as itself.
inline std::string ResourceLabel(const std::string& resource) {
  static const std::map<std::string, std::string>* const kNames =
      new std::map<std::string, std::string>{
          {"teachers_above_degree", "高于规定学历教师"},
          {"backbone_teachers", "骨干教师"},
          {"pe_art_teachers", "体育艺术教师"},
          {"teachers", "专任教师"},
          {"senior_title_teachers", "高级职称教师"},
          {"teaching_area_m2", "教学及辅助用房面积"},
          {"sports_area_m2", "体育运动场馆面积"},
          {"equipment_value_yuan", "教学仪器设备值"},
          {"multimedia_classrooms", "多媒体教室"},
          {"computers", "计算机"},
          {"books", "图书"},
          {"rotation", "交流轮岗"},
      };
  auto it = kNames->find(resource);
  return it == kNames->end() ? resource : it->second;
}

// Indicator code → Chinese name, from the county-level results (per-school
// results carry only the code).
inline std::map<std::string, std::string> IndicatorNames(
    const v1::CountyEvaluation& e) {
  std::map<std::string, std::string> names;
  for (const auto& a : e.areas()) {
    for (const auto& i : a.indicators()) names[i.code()] = i.name_zh();
  }
  for (const auto& c : e.coefficients()) {
    if (!c.name_zh().empty()) names.emplace(c.code(), c.name_zh());
  }
  return names;
}

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_REPORT_LABELS_H_
