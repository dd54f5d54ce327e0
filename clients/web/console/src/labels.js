// Chinese labels for the API's enums and codes, and number formatting with units.

export const ROLE_LABELS = {
  school: '学校',
  county: '县教育局',
  inspector: '督导组',
  province: '省教育厅',
  admin: '系统管理员',
  service: '服务',
};

// Outcome of an indicator, a school or a county.
export const OUTCOME = {
  PASS: { label: '达标', tag: 'success', cls: 'pass' },
  FAIL: { label: '未达标', tag: 'danger', cls: 'fail' },
  NOT_REPORTED: { label: '未填报', tag: 'warning', cls: 'nr' },
  NOT_APPLICABLE: { label: '不适用', tag: 'info', cls: 'na' },
  OUTCOME_UNSPECIFIED: { label: '—', tag: 'info', cls: 'na' },
};
export function outcome(o) {
  return OUTCOME[o] || OUTCOME.OUTCOME_UNSPECIFIED;
}
// The verdict of a county or a school as a whole.
export const VERDICT_LABELS = {
  PASS: '通过',
  FAIL: '未通过',
  NOT_REPORTED: '数据未报齐',
  NOT_APPLICABLE: '不适用',
  OUTCOME_UNSPECIFIED: '—',
};
// An inspector's judgement.
export const JUDGEMENT_LABELS = {
  PASS: '通过',
  FAIL: '不通过',
  NOT_REPORTED: '未评定',
  NOT_APPLICABLE: '不需评定',
  OUTCOME_UNSPECIFIED: '—',
};
// A veto item: PASS means the county is clear of it.
export const VETO_LABELS = {
  PASS: '无此情形',
  FAIL: '存在（一票否决）',
  NOT_REPORTED: '未评定',
  NOT_APPLICABLE: '不适用',
  OUTCOME_UNSPECIFIED: '—',
};

export const LEVEL_LABELS = {
  LEVEL_PRIMARY: '小学',
  LEVEL_JUNIOR: '初中',
  LEVEL_ALL: '全校',
  LEVEL_UNSPECIFIED: '',
};
export const LEVEL_PART_LABELS = {
  LEVEL_PRIMARY: '小学部',
  LEVEL_JUNIOR: '初中部',
  LEVEL_ALL: '',
  LEVEL_UNSPECIFIED: '',
};

export const COMPARISON_SIGNS = {
  COMPARISON_AT_LEAST: '≥',
  COMPARISON_AT_MOST: '≤',
  COMPARISON_GREATER_THAN: '>',
  COMPARISON_LESS_THAN: '<',
  COMPARISON_UNSPECIFIED: '',
};

export const EVIDENCE = {
  EVIDENCE_PRESENT: { label: '齐全', tag: 'success', cls: 'pass' },
  EVIDENCE_MISSING: { label: '缺失', tag: 'danger', cls: 'fail' },
  EVIDENCE_UNKNOWN: { label: '未能核查', tag: 'warning', cls: 'nr' },
  EVIDENCE_NOT_EXPECTED: { label: '无需材料', tag: 'info', cls: 'na' },
  EVIDENCE_STATUS_UNSPECIFIED: { label: '—', tag: 'info', cls: 'na' },
};
export function evidence(s) {
  return EVIDENCE[s] || EVIDENCE.EVIDENCE_STATUS_UNSPECIFIED;
}

export const SCHOOL_TYPES = {
  primary: '小学',
  junior: '初中',
  nine_year: '九年一贯制学校',
  twelve_year: '十二年一贯制学校',
  teaching_point: '教学点',
  special: '特殊教育学校',
};

export const RECT_STATUS = {
  OPEN: { label: '待整改', tag: 'danger' },
  IN_PROGRESS: { label: '整改中', tag: 'warning' },
  DONE: { label: '已完成（待核验）', tag: 'primary' },
  VERIFIED: { label: '已核验', tag: 'success' },
  STATUS_UNSPECIFIED: { label: '—', tag: 'info' },
};

export const AUDIT_ACTIONS = {
  upload: '上传材料',
  delete: '删除材料',
  undelete: '恢复材料',
  download: '下载材料',
  freeze: '冻结材料',
  import_schools: '导入学校数据',
  import_counties: '导入县级数据',
  judgement: '记录评定',
  token_create: '创建令牌',
  token_revoke: '吊销令牌',
  rectification_adopt: '采纳整改方案',
  rectification_update: '更新整改事项',
};

export const AREA_LABELS = {
  resource: '资源配置',
  government: '政府保障程度',
  quality: '教育质量',
  recognition: '社会认可度',
};

// Measures of multi-part formulas (standard.proto, Formula): label and unit.
export const MEASURES = {
  classes_per_room: { label: '每间专用教室对应班级数', unit: '班/间' },
  music_room_area_m2: { label: '最小音乐教室面积', unit: 'm²' },
  art_room_area_m2: { label: '最小美术教室面积', unit: 'm²' },
  single_level_school: { label: '学校规模', unit: '人' },
  through_school: { label: '一贯制学校规模', unit: '人' },
  rotation_rate: { label: '交流轮岗比例', unit: '%' },
  backbone_share: { label: '其中骨干教师比例', unit: '%' },
  min_level: { label: '质量监测最低水平', unit: '级' },
  interschool_difference: { label: '校际差异率', unit: '' },
  difference_coefficient: { label: '差异系数', unit: '' },
  music_rooms: { label: '音乐专用教室', unit: '间' },
  art_rooms: { label: '美术专用教室', unit: '间' },
  max_class_size: { label: '最大班额', unit: '人/班' },
  has_charter: { label: '学校章程', flag: true },
  small_schools_funded_as_100: { label: '小规模学校按100人核定经费', flag: true },
  special_ed_funds_per_student_yuan: { label: '特殊教育生均公用经费', unit: '元/生·年' },
  training_360h_completion_rate: { label: '5年360学时培训完成率', unit: '%' },
  nearby_enrollment_rate_primary: { label: '小学就近划片入学比例', unit: '%' },
  nearby_enrollment_rate_junior: { label: '初中就近划片入学比例', unit: '%' },
  quality_high_school_quota_ratio: { label: '优质高中招生名额分配比例', unit: '%' },
  migrant_children_public_ratio: { label: '随迁子女在公办学校就读比例', unit: '%' },
  junior_consolidation_rate: { label: '初中三年巩固率', unit: '%' },
  disabled_enrollment_rate: { label: '残疾儿童少年入学率', unit: '%' },
  satisfaction_rate: { label: '社会认可度调查满意率', unit: '%' },
  salary_ratio: { label: '教师与公务员平均工资之比', unit: '倍' },
};
// Formulas whose value is a yes/no flag (1 or 0).
export const FLAG_FORMULAS = new Set(['FORMULA_SCHOOL_CHARTER', 'FORMULA_SMALL_SCHOOLS_FUNDED_AS_100']);
export function isFlag(measure, indicator) {
  return (measure && MEASURES[measure] && MEASURES[measure].flag) || (indicator && FLAG_FORMULAS.has(indicator.formula));
}

const NUM = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });
const NUM2 = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
const INT = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });

export function num(v, digits) {
  if (v === undefined || v === null || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (digits !== undefined) return new Intl.NumberFormat('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  if (Math.abs(n) >= 1000) return NUM2.format(n);
  return NUM.format(n);
}
export function int(v) {
  if (v === undefined || v === null || v === '') return '—';
  return INT.format(Number(v));
}

// A value in its unit: fractions of a "%" unit are shown as percentages.
export function withUnit(v, unit) {
  if (v === undefined || v === null) return '—';
  if (unit === '%') return `${num(Number(v) * 100, 1)}%`;
  return unit ? `${num(v)} ${unit}` : num(v);
}

// The unit a measurement is shown in: the measure's own, else the indicator's.
export function measureUnit(measure, indicatorUnit) {
  if (measure && MEASURES[measure] && MEASURES[measure].unit !== undefined) return MEASURES[measure].unit;
  return indicatorUnit || '';
}

// "≥ 4.2 人/百生"
export function thresholdText(m, unit) {
  if (!m || m.threshold === undefined || m.threshold === null) return '—';
  return `${COMPARISON_SIGNS[m.comparison] || ''} ${withUnit(m.threshold, unit)}`.trim();
}

// "差 2 名教师" / "需减少 160 人"
export function shortfallText(s) {
  if (!s || !s.amount) return '';
  const unit = s.unitZh || s.unit || '';
  const amount = Number(s.amount);
  const shown = Number.isInteger(amount) ? INT.format(amount) : NUM2.format(amount);
  return s.reduce ? `需减少 ${shown} ${unit}` : `尚差 ${shown} ${unit}`;
}

export function bytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return '—';
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 * 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  return `${(v / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function time(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}
export function date(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });
}

// Last segment of a resource name: counties/330106/schools/2133010601 → 2133010601.
export function lastSegment(name) {
  if (!name) return '';
  const parts = name.split('/');
  return parts[parts.length - 1];
}

// The school code of counties/C/schools/S/…, or '' for county-level names.
export function schoolOf(name) {
  const m = /(?:^|\/)schools\/(\d+)/.exec(name || '');
  return m ? m[1] : '';
}
export function countyOf(name) {
  const m = /(?:^|\/)counties\/(\d+)/.exec(name || '');
  return m ? m[1] : '';
}

// Text of an ApiError status for people.
export const STATUS_LABELS = {
  INVALID_ARGUMENT: '请求有误',
  FAILED_PRECONDITION: '当前状态不允许该操作',
  OUT_OF_RANGE: '超出范围',
  UNAUTHENTICATED: '身份验证失败',
  PERMISSION_DENIED: '无权访问',
  NOT_FOUND: '未找到',
  ABORTED: '数据已被他人修改，请刷新后重试',
  ALREADY_EXISTS: '已存在',
  RESOURCE_EXHAUSTED: '资源不足或超出限制',
  CANCELLED: '已取消',
  DATA_LOSS: '数据损坏',
  UNKNOWN: '未知错误',
  INTERNAL: '服务器内部错误',
  UNIMPLEMENTED: '服务器不支持该操作',
  UNAVAILABLE: '服务暂不可用',
  DEADLINE_EXCEEDED: '请求超时',
};

// Current school year by its starting calendar year (a school year starts in September).
export function currentSchoolYear(now = new Date()) {
  return now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
}

// Provincial administrative division codes (省级行政区划代码).
export const PROVINCES = {
  11: '北京市', 12: '天津市', 13: '河北省', 14: '山西省', 15: '内蒙古自治区', 21: '辽宁省', 22: '吉林省', 23: '黑龙江省',
  31: '上海市', 32: '江苏省', 33: '浙江省', 34: '安徽省', 35: '福建省', 36: '江西省', 37: '山东省', 41: '河南省',
  42: '湖北省', 43: '湖南省', 44: '广东省', 45: '广西壮族自治区', 46: '海南省', 50: '重庆市', 51: '四川省', 52: '贵州省',
  53: '云南省', 54: '西藏自治区', 61: '陕西省', 62: '甘肃省', 63: '青海省', 64: '宁夏回族自治区', 65: '新疆维吾尔自治区',
};
export function provinceName(code) {
  return PROVINCES[code] || `省 ${code}`;
}

export const RESOURCE_LABELS = {
  teachers_above_degree: '高于规定学历教师',
  backbone_teachers: '县级以上骨干教师',
  pe_art_teachers: '体育、艺术专任教师',
  teaching_area_m2: '教学及辅助用房面积',
  sports_area_m2: '体育运动场馆面积',
  equipment_value_yuan: '教学仪器设备值',
  multimedia_classrooms: '网络多媒体教室',
  computers: '教学用计算机',
  books: '图书',
  teachers: '专任教师',
  senior_title_teachers: '中级及以上职称教师',
};
