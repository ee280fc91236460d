"""The policy documents and papers healthplan's defaults and standards cite: one entry each, cited everywhere.

Grades follow the project's standards table: A official text (or an official figure through an official outlet),
B peer-reviewed paper or a paper restating a rule, C one local project or purchase, D a weak source, ASSUMPTION no
source. A 文号 is printed only where it was confirmed; documents whose number could not be confirmed are cited by
title and year.
"""

from __future__ import annotations

from healthplan.optimizer.text import Document, Source, Text

# ---------------------------------------------------------------- documents (national)

NHC_EMS_2020 = Document(
    "关于印发进一步完善院前医疗急救服务指导意见的通知",
    "Notice on the guiding opinions on further improving pre-hospital emergency medical services",
    "国卫医发〔2020〕19号", 2020,
)
FEVER_ROOMS_2020 = Document(
    "关于加强基层医疗卫生机构发热诊室设置的通知（2020年12月）",
    "Notice on strengthening fever rooms in primary health-care institutions (December 2020)",
    "", 2020,
)
PRIMARY_CARE_2022 = Document(
    "关于深入开展“优质服务基层行”活动和社区医院建设的通知（2022年6月）",
    "Notice on the 'quality service at the grassroots' campaign and community hospitals (June 2022)",
    "", 2022,
)
FEVER_PRESS_2022 = Document(
    "国务院联防联控机制新闻发布会（2022年12月27日）",
    "State Council joint prevention and control press conference (27 December 2022)",
    "", 2022,
)
TRAUMA_2018 = Document(
    "关于进一步提升创伤救治能力的通知",
    "Notice on further improving trauma care capacity",
    "国卫办医函〔2018〕477号", 2018,
)
CHEST_PAIN_GUIDE = Document(
    "胸痛中心建设与管理指导原则（试行）",
    "Guiding principles for the construction and management of chest pain centres (trial)",
)
BASIC_STANDARDS_1994 = Document(
    "医疗机构基本标准（试行）",
    "Basic standards for medical institutions (trial)",
    "卫医发〔1994〕30号", 1994,
)

# ---------------------------------------------------------------- documents (local plans: the seeds)

GANZHOU_EDZ_2023 = Document(
    "赣州经开区卫生健康服务能力全面提升三年行动计划（2023-2025年）",
    "Ganzhou Economic and Technological Development Zone three-year action plan for health service capacity "
    "(2023-2025)",
    "", 2023,
)
GUANGAN_2023 = Document(
    "广安区“十四五”卫生健康发展规划",
    "Guang'an District 14th Five-Year Plan for health development",
    "", 2023,
)
GUIZHOU_RESCUE = Document(
    "贵州省山地紧急医学救援体系建设目标（到2018年）",
    "Guizhou mountain emergency rescue system targets (to 2018)",
)
HEBEI_STROKE_2018 = Document(
    "河北省卒中溶栓地图建设（2018年）",
    "Hebei stroke thrombolysis map (2018)",
    "", 2018,
)

# ---------------------------------------------------------------- papers

HAINAN_ACCESS_2021 = Document(
    "Wang X, Seyler BC, Han W, Pan J. 海南岛三级医疗服务体系空间可及性研究. Int J Equity Health, 2021",
    "Wang X, Seyler BC, Han W, Pan J. Spatial access to the three-tier healthcare delivery system in China: "
    "Hainan Island. Int J Equity Health, 2021",
    "", 2021,
)
WEST_CHINA_FEVER_2021 = Document(
    "胡国庆. 应对新型冠状病毒肺炎防控发热门诊三区两通道要求. 华西医学, 2021, 36(3): 281-287",
    "Hu G. Three zones and two passages for fever clinics. West China Medical Journal, 2021, 36(3): 281-287",
)
BEIJING_EMS_2011 = Document(
    "北京市院前急救网络布局研究. 中国全科医学, 2011(36): 4214-4216",
    "Planning Beijing's pre-hospital emergency network. Chinese General Practice, 2011(36): 4214-4216",
)
STEMI_GUIDELINE_2013 = Document(
    "ACC/AHA ST段抬高型心肌梗死指南（2013）",
    "ACC/AHA guideline for ST-elevation myocardial infarction (2013)",
    "", 2013,
)

# ---------------------------------------------------------------- sources of defaults and standards (graded)

EMS_FLEET = Source("A", NHC_EMS_2020, Text(
    "城市地区每3万人口配置1辆救护车，县域人口基数可上浮至300%（即每1万人1辆）；赣州经开区计划第8项",
    "1 ambulance per 30,000 residents, the county base raised to 300 % (1 per 10,000); Ganzhou plan item 8",
))
EMS_NP_SHARE = Source("A", NHC_EMS_2020, Text("负压救护车占比不低于40%", "negative-pressure share ≥ 40 %"))
EMS_RESPONSE = Source("B", GUIZHOU_RESCUE, Text(
    "院前急救城市不超过15分钟、农村不超过30分钟；3分钟出车见国卫医发〔2020〕19号",
    "response within 15 min (urban) / 30 min (rural); departure within 3 min per the 2020 national guidance",
))
EMS_ONE_PER_THC = Source("ASSUMPTION", None, Text(
    "每个乡镇卫生院至少配备1辆救护车（未找到原文，请按本地规定核实）",
    "at least one ambulance per township health centre (no text found: check your local rule)",
))
EMS_STATIONS = Source("A", GANZHOU_EDZ_2023, Text(
    "依托公立医院、社区服务中心、基层卫生院建立急救站（第12项）",
    "stations at public hospitals and community/township health centres (item 12)",
))
FEVER_CLINICS = Source("A", FEVER_PRESS_2022, Text(
    "二级以上医院开设发热门诊；服务人口较多的乡镇卫生院建立标准化发热门诊（2022年6月通知）",
    "fever clinics at grade-II+ hospitals; standard fever clinics at township centres serving many residents "
    "(June 2022 notice)",
))
FEVER_ROOMS = Source("A", PRIMARY_CARE_2022, Text(
    "一般乡镇卫生院和社区卫生服务中心建立标准化的发热诊室（哨点），力争全覆盖",
    "a standard fever room at every township and community health centre, aiming at full coverage",
))
FEVER_LAYOUT = Source("B", WEST_CHINA_FEVER_2021, Text("“三区两通道”布局（2020年12月基层发热诊室通知）",
                                                      "'three zones, two passages' layout (December 2020 notice)"))
BLOOD_POINTS = Source("A", GANZHOU_EDZ_2023, Text("到2025年底，至少设1个固定采血点（第9项）",
                                                  "at least one fixed blood-collection point by end 2025 (item 9)"))
COST_PER_BED = Source("C", None, Text(
    "每新增床位约60万元（2015—2024年四个中心卫生院扩建或提升项目，每床30～73万元）",
    "about 0.6 million CNY per added bed (four central health-centre expansions 2015–2024, 0.3–0.73 million per bed)",
))
SUBCENTRES = Source("A", GUANGAN_2023, Text(
    "按照二级综合医院标准规划建设医疗卫生次中心5个", "five sub-centres built to the secondary general hospital standard",
))
PRIMARY_ACCESS = Source("B", HAINAN_ACCESS_2021, Text(
    "乡镇卫生院/社区卫生服务中心30分钟、村卫生室15分钟可达（按层级）；城乡分设15/30分钟为本工具的假设",
    "30 min to township/community centres, 15 min to clinics (per tier); the urban 15 / rural 30 split is "
    "this tool's assumption",
))
HOSPITAL_ACCESS = Source("B", HAINAN_ACCESS_2021, Text("医院服务60分钟可达（“一小时圈”）", "hospital care within 60 min"))
DRIVING_SPEEDS = Source("B", BEIJING_EMS_2011, Text("道路曲度系数1.6；市区25公里/小时未在摘要中核实",
                                                   "detour factor 1.6; the urban 25 km/h is not in the abstract"))
CHEST_PAIN = Source("B", STEMI_GUIDELINE_2013, Text(
    "首次医疗接触至球囊扩张≤120分钟，扣除院内时间后推算为60分钟可达（推算值）；建设要求见《胸痛中心建设与管理"
    "指导原则（试行）》",
    "first medical contact to device ≤ 120 min, leaving 60 min of travel (derived); construction per the national "
    "guiding principles for chest pain centres",
))
STROKE = Source("A", HEBEI_STROKE_2018, Text("卒中救治“3个1小时”：院前转运到医院不超过1小时",
                                             "stroke care: transfer to hospital within one hour"))
TRAUMA = Source("A", TRAUMA_2018, Text(
    "依托创伤救治能力较强的县级医院建立创伤中心；60分钟“黄金一小时”为国际通行的可及性口径（B）",
    "trauma centres at the strongest county hospital; the 60-min 'golden hour' is the usual access measure (B)",
))
DSA_COST = Source("C", None, Text("DSA手术室约470—1,250万元/间（2024—2025年两个项目），取800万元",
                                  "a DSA room costs about 4.7–12.5 million CNY (two 2024–25 projects); 8 million used"))
SECONDARY_BEDS = Source("D", BASIC_STANDARDS_1994, Text("二级综合医院病床不少于100张（据转载文本）",
                                                       "a grade-II general hospital has ≥ 100 beds (via copies)"))
ASSUMPTION = Source("ASSUMPTION")

# ---------------------------------------------------------------- sources of unit costs and running costs (graded)

AMB_COST_ORD = Source("C", None, Text("重庆市秀山县2020年采购（250万元购10辆）；安徽省临泉县采购（139万元购7辆）",
                                      "Chongqing Xiushan 2020 (10 for 2.5 million CNY); Anhui Linquan (7 for 1.39 "
                                      "million CNY)"))
AMB_COST_NP = Source("C", None, Text("2020年负压救护车报价36万元；厦门市采购（128.4万元购5辆）",
                                     "a 2020 negative-pressure ambulance quote (360,000 CNY); Xiamen (5 for 1.284 "
                                     "million CNY)"))
AMB_OPEX = Source("C", None, Text("北京市通州区测算：45辆救护车年运行费用1,556万元（含人员，推算值）",
                                  "Beijing Tongzhou estimate: 15.56 million CNY a year for 45 vehicles, crews included "
                                  "(derived)"))
FEVER_CLINIC_COST = Source("C", None, Text("河南省某县中医院发热门诊新建项目（建筑面积1,850平方米）",
                                           "a Henan county TCM hospital's new fever clinic (1,850 m²)"))
SUBCENTRE_COST = Source("C", None, Text("湖北省通城县2024年招标（3所改建、8所提升，合计2亿元）",
                                        "Hubei Tongcheng 2024 tender (3 rebuilds and 8 upgrades for 200 million CNY)"))
