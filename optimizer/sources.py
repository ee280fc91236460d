"""The policy documents and papers healthplan's defaults and standards cite: one entry each, cited everywhere.

Grades follow the project's standards table: A official text (or an official figure through an official outlet),
B peer-reviewed paper or a paper restating a rule, C one local project or purchase, ASSUMPTION no source.
"""

from __future__ import annotations

from healthplan.optimizer.text import Document, Source, Text

# ---------------------------------------------------------------- documents

NHC_EMS_2020 = Document(
    "关于印发进一步完善院前医疗急救服务指导意见的通知",
    "Notice on the guiding opinions on further improving pre-hospital emergency medical services",
    "国卫医发〔2020〕19号", 2020,
)
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
GUIZHOU_EMS_2021 = Document(
    "贵州省院前医疗急救体系建设方案（2021年）",
    "Guizhou provincial plan for the pre-hospital emergency care system (2021)",
    "", 2021,
)
FEVER_NOTICE_2022 = Document(
    "国家卫生健康委关于发热门诊、发热诊室设置的通知（2022年）",
    "National Health Commission notice on fever clinics and fever rooms (2022)",
    "", 2022,
)
HAINAN_ACCESS_2021 = Document(
    "海南省医疗卫生服务可及性研究（International Journal for Equity in Health，2021）",
    "Access to health services in Hainan (International Journal for Equity in Health, 2021)",
    "", 2021,
)
WEST_CHINA_FEVER_2021 = Document(
    "发热门诊“三区两通道”布局（华西医学，2021）",
    "Fever clinic layout, three zones and two passages (West China Medical Journal, 2021)",
    "", 2021,
)
BEIJING_SPEEDS_2011 = Document(
    "北京市救护车行驶速度实测研究（中国全科医学，2011）",
    "Measured ambulance speeds in Beijing (Chinese General Practice, 2011)",
    "", 2011,
)

# ---------------------------------------------------------------- sources of defaults (graded)

EMS_FLEET = Source("B", NHC_EMS_2020, Text(
    "城市地区每3万人口、农村地区每1万人口配置1辆救护车（县域人口基数可上浮至300%）；赣州经开区计划第8项",
    "1 ambulance per 30,000 urban and per 10,000 rural residents (county base raised to 300 %); Ganzhou plan item 8",
))
EMS_NP_SHARE = Source("A", NHC_EMS_2020, Text("负压救护车占比不低于40%", "negative-pressure share ≥ 40 %"))
EMS_RESPONSE = Source("A", GUIZHOU_EMS_2021, Text(
    "急救反应时间城市15分钟、农村30分钟；3分钟出车（国卫医发〔2020〕19号）",
    "response within 15 min (urban) / 30 min (rural); departure within 3 min (2020 national guidance)",
))
EMS_ONE_PER_THC = Source("A", GUIZHOU_EMS_2021, Text("每个乡镇卫生院至少配备1辆救护车",
                                                     "at least one ambulance per township health centre"))
EMS_STATIONS = Source("A", GANZHOU_EDZ_2023, Text(
    "依托公立医院、社区服务中心、基层卫生院建立急救站（第12项）",
    "stations at public hospitals and community/township health centres (item 12)",
))
FEVER_CLINICS = Source("A", FEVER_NOTICE_2022, Text(
    "二级及以上综合医院、中医医院、妇幼保健院设置发热门诊", "fever clinics at grade-II+ general, TCM and MCH hospitals",
))
FEVER_ROOMS = Source("A", FEVER_NOTICE_2022, Text(
    "乡镇卫生院、社区卫生服务中心设置标准化发热诊室（目标100%）",
    "a standard fever room at every township and community health centre (target 100 %)",
))
FEVER_LAYOUT = Source("B", WEST_CHINA_FEVER_2021, Text("“三区两通道”布局", "'three zones, two passages' layout"))
BLOOD_POINTS = Source("A", GANZHOU_EDZ_2023, Text("到2025年底，至少设1个固定采血点（第9项）",
                                                  "at least one fixed blood-collection point by end 2025 (item 9)"))
SUBCENTRES = Source("A", GUANGAN_2023, Text(
    "按照二级综合医院标准规划建设医疗卫生次中心5个", "five sub-centres built to the secondary general hospital standard",
))
PRIMARY_ACCESS = Source("B", HAINAN_ACCESS_2021, Text("基层医疗服务城市15分钟、农村30分钟可达",
                                                      "primary care within 15 min (urban) / 30 min (rural)"))
HOSPITAL_ACCESS = Source("B", HAINAN_ACCESS_2021, Text("医院服务“一小时圈”", "hospital care within one hour"))
DRIVING_SPEEDS = Source("B", BEIJING_SPEEDS_2011, Text("市区行驶速度25公里/小时，直线距离绕行系数1.6",
                                                      "urban speed 25 km/h; detour factor 1.6 on straight lines"))
# Critical-care centres (the county hospitals' 五大中心): the access times and costs are ASSUMPTION until sourced.
CHEST_PAIN = Source("ASSUMPTION", None, Text("胸痛中心60分钟可达（假设值）", "chest pain centre within 60 min (assumed)"))
STROKE = Source("ASSUMPTION", None, Text("卒中中心60分钟可达（假设值）", "stroke centre within 60 min (assumed)"))
TRAUMA = Source("ASSUMPTION", None, Text("创伤中心60分钟可达（假设值）", "trauma centre within 60 min (assumed)"))
ASSUMPTION = Source("ASSUMPTION")
