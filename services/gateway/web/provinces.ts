// Provincial-level divisions (GB/T 2260) for the province selector: reference data, not business rules.
export const provinces: readonly { code: string; name: string; en: string }[] = [
  { code: '110000', name: '北京市', en: 'Beijing' },
  { code: '120000', name: '天津市', en: 'Tianjin' },
  { code: '130000', name: '河北省', en: 'Hebei' },
  { code: '140000', name: '山西省', en: 'Shanxi' },
  { code: '150000', name: '内蒙古自治区', en: 'Inner Mongolia' },
  { code: '210000', name: '辽宁省', en: 'Liaoning' },
  { code: '220000', name: '吉林省', en: 'Jilin' },
  { code: '230000', name: '黑龙江省', en: 'Heilongjiang' },
  { code: '310000', name: '上海市', en: 'Shanghai' },
  { code: '320000', name: '江苏省', en: 'Jiangsu' },
  { code: '330000', name: '浙江省', en: 'Zhejiang' },
  { code: '340000', name: '安徽省', en: 'Anhui' },
  { code: '350000', name: '福建省', en: 'Fujian' },
  { code: '360000', name: '江西省', en: 'Jiangxi' },
  { code: '370000', name: '山东省', en: 'Shandong' },
  { code: '410000', name: '河南省', en: 'Henan' },
  { code: '420000', name: '湖北省', en: 'Hubei' },
  { code: '430000', name: '湖南省', en: 'Hunan' },
  { code: '440000', name: '广东省', en: 'Guangdong' },
  { code: '450000', name: '广西壮族自治区', en: 'Guangxi' },
  { code: '460000', name: '海南省', en: 'Hainan' },
  { code: '500000', name: '重庆市', en: 'Chongqing' },
  { code: '510000', name: '四川省', en: 'Sichuan' },
  { code: '520000', name: '贵州省', en: 'Guizhou' },
  { code: '530000', name: '云南省', en: 'Yunnan' },
  { code: '540000', name: '西藏自治区', en: 'Tibet' },
  { code: '610000', name: '陕西省', en: 'Shaanxi' },
  { code: '620000', name: '甘肃省', en: 'Gansu' },
  { code: '630000', name: '青海省', en: 'Qinghai' },
  { code: '640000', name: '宁夏回族自治区', en: 'Ningxia' },
  { code: '650000', name: '新疆维吾尔自治区', en: 'Xinjiang' },
  // Not a GB/T 2260 division, but it files implementation standards as one (the registry's seed, 660000 by convention).
  { code: '660000', name: '新疆生产建设兵团', en: 'Xinjiang Production and Construction Corps' },
];

export function provinceName(code: string, lang: 'zh' | 'en'): string {
  const p = provinces.find((x) => x.code === code);
  return p ? (lang === 'en' ? p.en : p.name) : code;
}
