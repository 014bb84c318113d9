/**
 * The 59 一级 network units of 开封市市长专线电话 (市企业投诉中心), transcribed from the annex
 * 《一级网络单位名单》 of seed 001_bbf3d180f1ec9401.txt (2020), as a unit tree: the 9 二级 units and
 * the companies hang under their supervising department (the annex's brackets) when that
 * department is itself a network unit; otherwise the department's name is kept as text.
 */
import type { NewUnit } from '../../api/units/repository';

type Seed = Pick<NewUnit, 'id' | 'name' | 'kind'> & Partial<Pick<NewUnit, 'sector' | 'parentId' | 'supervisingDepartment'>>;

const county = (n: number, name: string): Seed => ({ id: id(n), name, kind: 'level1', sector: 'county' });
const department = (n: number, name: string): Seed => ({ id: id(n), name, kind: 'level1', sector: 'department' });
const provincial = (n: number, name: string): Seed => ({ id: id(n), name, kind: 'level1', sector: 'provincial' });
const level2 = (n: number, name: string, parent: number): Seed => ({ id: id(n), name, kind: 'level2', parentId: id(parent) });
const company = (n: number, name: string, parent?: number | string): Seed => ({
  id: id(n),
  name,
  kind: 'company',
  ...(typeof parent === 'number' ? { parentId: id(parent) } : {}),
  ...(typeof parent === 'string' ? { supervisingDepartment: parent } : {}),
});
function id(n: number): string {
  return `kf-${String(n).padStart(3, '0')}`;
}

/** 001 附件, in the annex's order; ids kf-001 … kf-059. */
export const kaifengUnits: Seed[] = [
  // 一、县区(10个)
  county(1, '兰考县人民政府'),
  county(2, '杞县人民政府'),
  county(3, '通许县人民政府'),
  county(4, '尉氏县人民政府'),
  county(5, '城乡一体化示范区管理委员会'),
  county(6, '祥符区人民政府'),
  county(7, '鼓楼区人民政府'),
  county(8, '龙亭区人民政府'),
  county(9, '顺河回族区人民政府'),
  county(10, '禹王台区人民政府'),
  // 二、市政府工作部门(28个)
  department(11, '市发展和改革委员会'),
  department(12, '市教育体育局'),
  department(13, '市科学技术局'),
  department(14, '市工业和信息化局'),
  department(15, '市民族宗教事务局'),
  department(16, '市公安局'),
  department(17, '市民政局'),
  department(18, '市司法局'),
  department(19, '市财政局(市国有资产监督管理委员会)'),
  department(20, '市人力资源和社会保障局'),
  department(21, '市自然资源和规划局'),
  department(22, '市林业局'),
  department(23, '市生态环境局'),
  department(24, '市住房和城乡建设局'),
  department(25, '市城市管理局(市城市综合执法局)'),
  department(26, '市交通运输局'),
  department(27, '市水利局'),
  department(28, '市农业农村局'),
  department(29, '市商务局'),
  department(30, '市文化广电和旅游局'),
  department(31, '市卫生健康委员会'),
  department(32, '市退役军人事务局'),
  department(33, '市应急管理局'),
  department(34, '市市场监督管理局'),
  department(35, '市粮食和物资储备局'),
  department(36, '市医疗保障局'),
  department(37, '市金融工作局'),
  department(38, '市政务服务和大数据管理局'),
  // 三、省垂直单位(2个)
  provincial(39, '市税务局'),
  provincial(40, '市银保监局'),
  // 四、部分市政府工作部门二级机构(9个)(括号内为主管部门)
  level2(41, '市公安局交通警察支队', 16),
  level2(42, '市社会保险中心', 20),
  level2(43, '市劳动保障监察局', 20),
  level2(44, '市不动产登记中心', 21),
  level2(45, '市市容环境卫生管理局', 25),
  level2(46, '市市政管理处', 25),
  level2(47, '市城市照明管理处', 25),
  level2(48, '市城市管理执法支队', 25),
  level2(49, '市社会医疗保险中心', 36),
  // 五、部分国有企业及公司(10个)(括号内为主管部门)
  company(50, '国家电网开封供电公司'),
  company(51, '新区基础建设投资有限公司', 5),
  company(52, '中国邮政开封分公司', '市邮政管理局'),
  company(53, '中国联通开封分公司', 14),
  company(54, '中国移动开封分公司', 14),
  company(55, '中国电信开封分公司', 14),
  company(56, '市供水总公司', 25),
  company(57, '市新奥燃气有限公司', 25),
  company(58, '市金盛热力有限公司', 25),
  company(59, '市公共交通总公司', 26),
];
