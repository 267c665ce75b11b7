"""The demo county's vocabulary: names, places, departments and the themes of the year's work, composed
from the seed text (县政协2020年工作要点) and DOMAIN.md. Pure data; the generator draws from it with a seeded
random generator, so the same seed always gives the same county."""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- people --------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_FIRST = "志建国文晓海永春立德学卫新红玉丽秀明俊子宏家思雅嘉浩宇世光成天正兴瑞金朝"
GIVEN_SECOND = "强华明军平东辉英梅兰芳燕伟杰涛斌峰琳婷敏刚勇林鹏宁娟霞云波清松荣鑫洁"
SINGLE_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超华平刚斌颖蕾鹏"

# ---- places and bodies ----------------------------------------------------------------------------------

# 乡镇 (township liaison groups are named after them); the first is the county seat.
TOWNSHIPS = ("城关镇", "青山镇", "白沙镇", "石桥镇", "龙泉镇", "新市镇", "河口乡", "桃源乡", "柳溪乡", "高坪镇",
             "马场乡", "大观镇", "黄泥塘镇", "三合乡")


@dataclass(frozen=True)
class UnitInfo:
    unit_id: str
    name: str


# 承办单位: county government departments that answer proposals.
UNITS = (
    UnitInfo("u-fgj", "县发展和改革局"), UnitInfo("u-jyj", "县教育局"), UnitInfo("u-wjj", "县卫生健康局"),
    UnitInfo("u-czj", "县财政局"), UnitInfo("u-nyj", "县农业农村局"), UnitInfo("u-zjj", "县住房和城乡建设局"),
    UnitInfo("u-mzj", "县民政局"), UnitInfo("u-hbj", "市生态环境局县分局"), UnitInfo("u-jtj", "县交通运输局"),
    UnitInfo("u-slj", "县水利局"), UnitInfo("u-rsj", "县人力资源和社会保障局"), UnitInfo("u-zrj", "县自然资源局"),
    UnitInfo("u-gxj", "县工业和信息化局"), UnitInfo("u-swj", "县商务局"), UnitInfo("u-wlj", "县文化旅游体育局"),
    UnitInfo("u-scj", "县市场监督管理局"), UnitInfo("u-yjj", "县应急管理局"), UnitInfo("u-gaj", "县公安局"),
    UnitInfo("u-sfj", "县司法局"), UnitInfo("u-xzj", "县乡村振兴局"), UnitInfo("u-ybj", "县医疗保障局"),
    UnitInfo("u-kjj", "县科学技术局"), UnitInfo("u-lyj", "县林业局"), UnitInfo("u-cgj", "县城市管理局"),
    UnitInfo("u-tyj", "县退役军人事务局"), UnitInfo("u-sjj", "县数据资源局"), UnitInfo("u-tjj", "县统计局"),
    UnitInfo("u-swu", "县税务局"), UnitInfo("u-sjt", "县审计局"), UnitInfo("u-zwf", "县政务服务管理局"),
)

STAFF_TITLES = ("办公室主任", "办公室副主任", "综合股股长", "政策法规股股长")


@dataclass(frozen=True)
class OrganizationInfo:
    organization_id: str
    name: str
    kind: str  # OrganizationKind value
    sector: str  # Sector value of its members


ORGANIZATIONS = (
    OrganizationInfo("org-minge", "民革县支部", "democratic_party", "rckmt"),
    OrganizationInfo("org-minmeng", "民盟县总支", "democratic_party", "democratic_league"),
    OrganizationInfo("org-minjian", "民建县支部", "democratic_party", "democratic_construction"),
    OrganizationInfo("org-minjin", "民进县支部", "democratic_party", "promoting_democracy"),
    OrganizationInfo("org-nonggong", "农工党县支部", "democratic_party", "peasants_workers"),
    OrganizationInfo("org-jiusan", "九三学社县支社", "democratic_party", "jiusan"),
    OrganizationInfo("org-gsl", "县工商业联合会", "industry_commerce_federation", "industry_commerce"),
    OrganizationInfo("org-tuan", "共青团县委", "peoples_organization", "youth_league"),
    OrganizationInfo("org-fulian", "县妇女联合会", "peoples_organization", "womens_federation"),
    OrganizationInfo("org-kexie", "县科学技术协会", "peoples_organization", "science_technology"),
)

SPECIAL_COMMITTEES = ("提案委员会", "经济委员会", "农业农村委员会", "文史和学习委员会", "社会法制民族宗教委员会")

# 界别 with their weight in a county committee of about 200 (party members are the largest group).
SECTOR_WEIGHTS = (
    ("cpc", 30), ("rckmt", 6), ("democratic_league", 8), ("democratic_construction", 8),
    ("promoting_democracy", 6), ("peasants_workers", 6), ("zhi_gong", 4), ("jiusan", 6), ("non_party", 8),
    ("industry_commerce", 14), ("youth_league", 5), ("womens_federation", 6), ("science_technology", 8),
    ("education", 12), ("culture_arts", 8), ("medicine_health", 12), ("agriculture", 14), ("economy", 14),
    ("ethnic_minorities", 6), ("religion", 4), ("specially_invited", 8),
)

SECTOR_PEOPLE = {
    "cpc": "基层党员群众", "rckmt": "民革党员及联系群众", "democratic_league": "民盟盟员及教育界群众",
    "democratic_construction": "民建会员及经济界人士", "promoting_democracy": "民进会员及文教界群众",
    "peasants_workers": "农工党党员及医卫界群众", "zhi_gong": "致公党党员及归侨侨眷",
    "jiusan": "九三学社社员及科技工作者",
    "non_party": "无党派人士", "industry_commerce": "非公有制企业经营者", "youth_league": "青年创业者",
    "womens_federation": "妇女群众和留守儿童家庭", "science_technology": "科技工作者", "education": "中小学教师和家长",
    "culture_arts": "文艺工作者和非遗传承人", "medicine_health": "乡村医生和患者家属",
    "agriculture": "种养大户和农民专业合作社",
    "economy": "中小微企业和个体工商户", "ethnic_minorities": "少数民族群众", "religion": "宗教界人士和信教群众",
    "specially_invited": "社区居民和外出务工人员",
}


# ---- the themes of the year's work ---------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    """One subject of the year's work, with what proposals, reports and visits about it say."""

    key: str
    topic: str  # a reference topic of the solicitation (提案征集参考要目)
    category: str  # proposals Category value
    units: tuple[str, ...]  # handling units, the most likely lead first
    subjects: tuple[str, ...]  # what a proposal title is about
    problems: tuple[str, ...]  # findings for 案由 / reports
    causes: tuple[str, ...]  # analysis
    suggestions: tuple[str, ...]
    heard: tuple[str, ...] = field(default=())  # what members hear on visits


THEMES = (
    Theme("poverty", "巩固拓展脱贫攻坚成果", "agriculture", ("u-xzj", "u-nyj", "u-mzj", "u-rsj"),
          ("巩固拓展脱贫攻坚成果同乡村振兴有效衔接", "做好防止规模性返贫动态监测帮扶", "易地扶贫搬迁后续扶持",
           "扶贫产业项目资产管护"),
          ("部分脱贫户收入来源单一，抗风险能力弱", "易地搬迁安置点就业岗位不足，后续产业支撑不够",
           "部分扶贫项目资产闲置，管护责任不明确"),
          ("帮扶政策由“输血”向“造血”转变仍需时间", "监测预警数据分散在多个部门，信息共享不及时",
           "村集体经济组织运营能力不强"),
          ("建立防返贫监测部门数据共享机制，做到早发现、早干预", "在安置点建设帮扶车间，开发公益性岗位",
           "明确扶贫项目资产权属和管护主体，建立台账", "加大脱贫人口职业技能培训力度"),
          ("脱贫户务工收入不稳定", "安置点缺少就近就业岗位", "监测户帮扶措施落实情况")),
    Theme("revitalize", "实施乡村振兴战略", "agriculture", ("u-nyj", "u-xzj", "u-czj", "u-zrj"),
          ("推进乡村产业振兴", "壮大村级集体经济", "培育新型农业经营主体", "发展特色农产品精深加工",
           "推进农村“三变”改革"),
          ("村级集体经济收入普遍偏低，“空壳村”仍有存在", "农产品加工转化率低，品牌知名度不高",
           "农村青壮年劳动力外出，产业发展缺人才"),
          ("资源变资产、资金变股金、农民变股东的利益联结机制尚不健全", "农业产业链条短，附加值低",
           "涉农资金整合使用效率有待提高"),
          ("因村施策发展村级集体经济，盘活闲置资源资产", "扶持农民专业合作社和家庭农场规范发展",
           "打造县域农产品区域公用品牌", "完善“三变”改革利益分配机制，保障农民收益"),
          ("合作社缺少冷链仓储设施", "特色种植销路不畅", "村集体经济项目选择难")),
    Theme("rural_env", "农村人居环境整治（垃圾、污水、厕所“三大革命”）", "ecology",
          ("u-hbj", "u-nyj", "u-zjj", "u-cgj"),
          ("深化农村垃圾、污水、厕所“三大革命”", "农村生活污水治理设施运维管护", "农村改厕后续管护",
           "农村生活垃圾分类减量"),
          ("部分已建污水处理设施运行不正常，存在“晒太阳”现象", "改厕后粪污清掏转运服务跟不上",
           "农村垃圾收运体系覆盖不全，偏远村组清运不及时"),
          ("设施建设重建轻管，运维经费没有稳定来源", "群众环境卫生意识和参与度不高",
           "乡镇环卫队伍力量薄弱"),
          ("建立农村污水处理设施第三方运维机制，纳入财政预算", "组建乡镇粪污清掏服务队，实行有偿低价服务",
           "推行“户分类、村收集、镇转运、县处理”模式", "将人居环境整治纳入村规民约和积分制管理"),
          ("污水管网未接入农户", "垃圾清运不及时", "公厕管护无人负责")),
    Theme("education", "推进义务教育优质均衡发展", "education", ("u-jyj", "u-czj", "u-rsj", "u-zjj"),
          ("推进城乡义务教育优质均衡发展", "加强乡村教师队伍建设", "解决县城学校“大班额”问题",
           "关爱农村留守儿童教育", "发展普惠性学前教育"),
          ("县城学校学位紧张，部分班级超过规定班额", "乡村学校教师结构性缺编，音体美和心理健康教师不足",
           "留守儿童家庭教育缺位，心理问题增多"),
          ("城镇化进程加快，生源向县城集中", "乡村教师待遇和发展空间吸引力不足", "学校布局调整滞后于人口流动"),
          ("科学规划县城学校布局，加快新建、扩建学校项目", "落实乡村教师生活补助，完善职称评聘倾斜政策",
           "推进城乡学校共同体建设，实行骨干教师交流轮岗", "在乡镇学校配备专兼职心理健康教师"),
          ("乡村学校缺少英语和音乐教师", "校车接送路程远", "留守儿童课后无人看管")),
    Theme("elderly", "健全养老服务体系", "society", ("u-mzj", "u-wjj", "u-ybj", "u-czj"),
          ("健全县乡村三级养老服务体系", "推进医养结合发展", "发展农村互助养老", "提升乡镇敬老院服务水平"),
          ("农村空巢、失能老人照护需求大，服务供给不足", "乡镇敬老院床位空置与需求不匹配",
           "养老护理人员短缺，专业化水平不高"),
          ("养老服务设施投入主要依靠财政，社会资本参与不足", "医疗和养老资源分属不同部门，衔接不畅",
           "护理岗位薪酬偏低，人员流失严重"),
          ("推动乡镇敬老院转型为区域性养老服务中心", "支持村级互助幸福院建设，探索“时间银行”互助模式",
           "推进医疗机构与养老机构签约合作", "开展养老护理员职业技能培训并给予补贴"),
          ("失能老人照护负担重", "敬老院缺少医护人员", "老年人看病取药不方便")),
    Theme("business", "减轻企业负担，扶持振兴实体经济", "economy", ("u-gxj", "u-fgj", "u-swj", "u-scj", "u-czj"),
          ("减轻企业负担、优化营商环境", "缓解中小微企业融资难融资贵", "落实惠企政策“直达快享”",
           "构建亲清新型政商关系", "促进民营经济高质量发展"),
          ("中小微企业融资渠道窄，贷款手续繁、周期长", "部分惠企政策企业知晓率低，申报流程复杂",
           "涉企检查多头重复，企业负担较重"),
          ("政银企对接机制不够常态化", "政策宣传解读不到位", "部门之间执法检查缺少统筹"),
          ("设立中小企业应急转贷资金，扩大政府性融资担保规模", "建立惠企政策“免申即享”清单",
           "推行“综合查一次”联合执法检查", "建立县级领导联系重点企业制度，定期开展政企恳谈"),
          ("企业用工难", "贷款抵押物不足", "涉企收费项目多")),
    Theme("budget", "财政预算绩效管理", "economy", ("u-czj", "u-fgj", "u-tjj"),
          ("全面实施财政预算绩效管理", "加强政府投资项目绩效评价", "提高财政资金使用效益"),
          ("部分项目绩效目标设置不科学，量化指标少", "绩效评价结果运用不充分，与预算安排挂钩不紧",
           "部分专项资金拨付进度慢，资金沉淀"),
          ("预算单位“重分配、轻管理”观念仍然存在", "第三方评价机构专业能力参差不齐"),
          ("将绩效目标审核作为预算安排的前置条件", "建立绩效评价结果与预算安排挂钩机制",
           "引入人大代表、政协委员参与重点项目绩效评价", "定期公开重点项目绩效评价结果"),
          ("项目资金拨付慢",)),
    Theme("health", "提升县域医疗卫生服务能力", "health", ("u-wjj", "u-ybj", "u-rsj"),
          ("推进县域医共体建设", "加强乡村医生队伍建设", "提升乡镇卫生院服务能力", "完善基层慢性病管理"),
          ("乡镇卫生院人才留不住，部分科室无法开展业务", "乡村医生年龄老化，后继乏人",
           "群众看病向县城集中，县级医院负担重"),
          ("基层医务人员待遇偏低", "医共体内部利益分配和人员流动机制不健全", "基层医疗设备更新滞后"),
          ("推行县管乡用、乡聘村用的人才管理机制", "定向培养农村订单医学生",
           "完善医共体内部双向转诊和远程会诊", "提高乡村医生养老保障水平"),
          ("村卫生室缺少常用药品", "乡村医生年龄偏大", "慢性病患者随访不及时")),
    Theme("roads", "完善农村交通基础设施", "urban_rural", ("u-jtj", "u-fgj", "u-czj", "u-yjj"),
          ("加强农村公路建设和管护", "推进城乡客运一体化", "改善偏远村组出行条件"),
          ("部分通村公路路面窄、错车难，存在安全隐患", "农村客运班线减少，群众出行不便",
           "公路养护资金不足，“建养失衡”"),
          ("农村公路管养责任落实不到位", "客运经营效益低，企业积极性不高"),
          ("全面推行农村公路“路长制”", "对农村客运实行定制公交和财政补贴",
           "在急弯陡坡路段增设安全防护设施", "争取上级交通项目资金支持"),
          ("村道错车困难", "客运班车取消", "雨季道路塌方")),
    Theme("water", "保障农村饮水安全和水利建设", "urban_rural", ("u-slj", "u-wjj", "u-fgj"),
          ("巩固提升农村饮水安全保障水平", "加强小型水利工程管护", "推进河湖长制落实"),
          ("部分村组饮用水水质不稳定，枯水期供水不足", "小型水库和山塘年久失修",
           "河道采砂和垃圾倾倒问题时有发生"),
          ("集中供水工程覆盖不全", "工程产权不明，管护主体缺位"),
          ("实施城乡供水一体化工程", "建立水质定期检测和公示制度", "明确小型水利工程管护责任和经费",
           "强化河湖长巡河履职考核"),
          ("枯水期停水", "水管老化漏水", "河道垃圾多")),
    Theme("tourism", "推动文化旅游融合发展", "culture", ("u-wlj", "u-fgj", "u-nyj", "u-jtj"),
          ("推动文旅融合发展", "保护利用传统村落和非物质文化遗产", "发展乡村旅游和民宿经济"),
          ("旅游资源开发层次不高，缺少精品线路", "部分传统村落空心化，古建筑损毁严重",
           "乡村旅游配套设施不完善"),
          ("文旅项目投入不足，招商引资难度大", "非遗传承人老龄化，传承后继乏人"),
          ("编制全域旅游发展规划，打造精品旅游线路", "设立传统村落保护专项资金",
           "支持非遗进校园、进景区", "规范发展乡村民宿，加强从业人员培训"),
          ("非遗技艺无人传承", "景区停车难", "民宿经营不规范")),
    Theme("employment", "稳就业和返乡创业", "society", ("u-rsj", "u-gxj", "u-nyj", "u-czj"),
          ("支持返乡入乡人员创业", "加强职业技能培训", "做好高校毕业生就业服务"),
          ("返乡创业人员缺资金、缺技术、缺场地", "职业技能培训与市场需求脱节",
           "县内企业招工难和群众就业难并存"),
          ("创业扶持政策分散在多个部门", "培训以短期理论为主，实操不足"),
          ("建设返乡创业园，提供场地租金减免", "推行“订单式”职业技能培训", "建立县域人力资源供需信息平台",
           "落实创业担保贷款贴息政策"),
          ("返乡青年缺启动资金", "技能培训内容单一", "企业招不到技术工人")),
    Theme("ethnic", "促进民族团结进步", "politics", ("u-mzj", "u-jyj", "u-wlj"),
          ("铸牢中华民族共同体意识，深化民族团结进步创建", "支持少数民族聚居村发展特色产业"),
          ("少数民族聚居村基础设施仍较薄弱", "民族文化保护传承缺少平台"),
          ("部分村寨地处偏远，产业基础差", "民族工作力量不足"),
          ("实施少数民族特色村寨保护与发展项目", "开展民族团结进步示范单位创建",
           "支持民族传统节庆活动与文旅融合"),
          ("特色村寨道路不畅", "民族文化活动场地缺乏")),
    Theme("safety", "加强基层社会治理和安全生产", "politics", ("u-gaj", "u-sfj", "u-yjj", "u-scj"),
          ("加强基层社会治理和矛盾纠纷化解", "强化食品安全监管", "提升基层应急管理能力"),
          ("基层矛盾纠纷化解力量不足", "农村集体聚餐和小作坊食品安全风险较大",
           "乡镇应急物资储备和救援队伍不足"),
          ("网格员待遇低、任务重", "基层监管人员少，覆盖面大"),
          ("健全“一站式”矛盾纠纷调处化解中心", "推行农村集体聚餐备案和厨师培训制度",
           "建设乡镇应急物资储备点，组建应急救援队", "推进法律顾问村村全覆盖"),
          ("邻里纠纷调解难", "小作坊卫生条件差", "汛期转移安置难")),
    Theme("digital", "推进数字政府和“放管服”改革", "economy", ("u-sjj", "u-fgj", "u-scj"),
          ("深化“放管服”改革，推进政务服务“一网通办”", "加快县域数字经济发展"),
          ("部分政务服务事项线上办理率低，群众仍需多头跑", "乡镇政务服务网点设备老旧"),
          ("部门业务系统数据不互通", "基层窗口人员业务能力不强"),
          ("推进政务数据共享，实现更多事项“一次办”", "在村级便民服务点推行帮办代办",
           "加强窗口人员业务培训和作风建设"),
          ("办事还要来回跑", "网上办事操作复杂")),
)


# What each sector's members mostly propose, report and hear about (by Theme.key); the rest is drawn from all.
SECTOR_THEMES = {
    "cpc": ("poverty", "revitalize", "safety", "budget"), "rckmt": ("safety", "elderly", "tourism"),
    "democratic_league": ("education", "employment"), "democratic_construction": ("business", "budget", "digital"),
    "promoting_democracy": ("education", "tourism"), "peasants_workers": ("health", "elderly"),
    "zhi_gong": ("business", "employment"), "jiusan": ("digital", "water", "revitalize"),
    "non_party": ("budget", "safety", "digital"), "industry_commerce": ("business", "employment"),
    "youth_league": ("employment", "digital"), "womens_federation": ("education", "elderly"),
    "science_technology": ("digital", "revitalize", "water"), "education": ("education",),
    "culture_arts": ("tourism",), "medicine_health": ("health", "elderly"),
    "agriculture": ("revitalize", "poverty", "rural_env", "water"), "economy": ("business", "budget", "employment"),
    "ethnic_minorities": ("ethnic", "poverty"), "religion": ("ethnic", "safety"),
    "specially_invited": ("roads", "rural_env", "safety"),
}

# ---- words for other texts -----------------------------------------------------------------------------

# A subject that starts with a verb reads "关于进一步加强…"; a noun phrase needs one: "关于加强…".
VERBS = ("加强", "推进", "深化", "健全", "实施", "提升", "巩固", "全面", "完善", "加快", "促进", "推动", "支持",
         "发展", "保护", "改善", "壮大", "培育", "缓解", "落实", "构建", "解决", "关爱", "强化", "做好", "铸牢",
         "减轻", "保障", "提高", "稳", "扶持", "打造", "建立", "防止")
VERB_TITLES = ("关于{subject}的建议", "关于进一步{subject}的建议", "关于{subject}的提案", "关于{place}{subject}的建议")
# Themes a township does not propose on its own (no "关于某镇…" titles).
COUNTY_WIDE = frozenset({"budget", "digital", "business"})
NOUN_TITLES = ("关于加强{subject}的建议", "关于做好{subject}工作的提案", "关于{subject}问题的建议",
               "关于{place}{subject}问题的建议")

REPLY_TEXTS = {
    "A": ("经研究，您提出的建议已被采纳，相关措施已写入年度工作方案并组织实施。",
          "您提出的问题已得到解决，我局已会同相关乡镇完成整改，具体情况如下。"),
    "B": ("您提出的建议很有针对性，我局已将其列入明年工作计划，正在积极推进。",
          "相关工作正在办理中，已争取上级资金支持，计划分步实施。"),
    "C": ("您提出的建议受当前财力和政策条件限制，暂时难以实施，我局将留作参考，待条件成熟时逐步推进。",),
}

COMMITMENTS = ("完成项目可行性研究并报县政府审定", "出台具体实施方案", "争取上级专项资金支持",
               "完成试点并总结推广", "将所需经费列入下年度财政预算")

EVALUATION_COMMENTS = {
    "satisfied": ("承办单位态度诚恳，办理认真。", "见面沟通充分，答复具体。", ""),
    "basically_satisfied": ("答复基本到位，希望加快落实进度。", "措施较笼统，建议进一步细化。", ""),
    "dissatisfied": ("答复内容空泛，未针对提出的问题提出具体措施。", "未与提案人沟通即作答复。"),
}

REVIEW_REASONS = {
    "accept": ("符合立案标准", "内容具体、建议可行，予以立案", "选题紧扣县委县政府中心工作，予以立案"),
    "return": ("建议部分较笼统，请补充具体措施后重新提交",),
    "letter": ("属于具体个案问题，转有关部门作为意见建议函办理",),
    "report": ("不符合立案条件，转作社情民意信息报送",),
    "merge": ("与同一主题提案内容相近，并案办理",),
}

REPORT_TITLE_PATTERNS = ("关于{problem}的情况反映", "{place}群众反映：{problem}", "{problem}问题亟待重视")
LEADER_TITLES = {"county": ("县委书记", "县长", "县委副书记", "常务副县长"),
                 "city": ("市委副书记", "副市长"), "province": ("副省长",)}

TRAININGS = (
    ("theory_study", "县政协党组理论学习中心组学习"), ("capacity_training", "政协委员履职能力提升培训班"),
    ("theory_study", "学习习近平总书记关于加强和改进人民政协工作的重要思想专题学习会"),
    ("capacity_training", "提案撰写与社情民意信息报送专题培训"), ("capacity_training", "政协系统干部能力提升培训班"),
    ("other", "委员读书活动"),
)
CHARITIES = (
    ("three_to_countryside", "“三下乡”文化科技卫生服务活动"), ("poverty_relief", "扶贫济困献爱心活动"),
    ("school_donation", "捐资助学活动"), ("three_to_countryside", "义诊进村活动"),
    ("poverty_relief", "慰问困难群众活动"), ("school_donation", "“春蕾计划”助学活动"),
)
AWARDS = (("county", "优秀政协委员"), ("county", "优秀提案"), ("city", "市政协优秀社情民意信息"),
          ("county", "“争先创优”先进个人"))

RECOMMENDATIONS = (
    ("关于巩固拓展脱贫攻坚成果同乡村振兴有效衔接的建议案", "县委、县政府"),
    ("关于深化农村人居环境整治的建议案", "县政府"),
    ("关于推进义务教育优质均衡发展的建议案", "县政府"),
    ("关于加快养老服务体系建设的建议案", "县政府"),
    ("关于减轻企业负担、优化营商环境的建议案", "县委、县政府"),
    ("关于全面实施财政预算绩效管理的建议案", "县政府"),
)

MEETING_VENUES = ("县政协会议中心", "县政协二楼会议室", "县行政中心第一会议室")
LIAISON_CONTACTS = (("hometown_talent", "在外乡贤", "深圳"), ("hometown_talent", "在外乡贤", "杭州"),
                    ("private_economy", "非公经济人士", None), ("new_social_strata", "新的社会阶层人士", None))
ENTERPRISE_KINDS = ("农业开发有限公司", "建材有限公司", "食品有限公司", "茶业专业合作社", "电子商务有限公司")

# 国务院办公厅关于2026年部分节假日安排的通知: days off and weekend make-up working days (调休上班).
HOLIDAY_SCHEDULES: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    2026: (
        ("2026-01-01", "2026-01-02", "2026-01-03",
         "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21",
         "2026-02-22", "2026-02-23",
         "2026-04-04", "2026-04-05", "2026-04-06",
         "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
         "2026-06-19", "2026-06-20", "2026-06-21",
         "2026-09-25", "2026-09-26", "2026-09-27",
         "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"),
        ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"),
    ),
}

# The sectors' short names, as a title or a consultation item names them (界别).
SECTOR_LABELS = {
    "cpc": "中共", "rckmt": "民革", "democratic_league": "民盟", "democratic_construction": "民建",
    "promoting_democracy": "民进", "peasants_workers": "农工党", "zhi_gong": "致公党", "jiusan": "九三学社",
    "non_party": "无党派", "industry_commerce": "工商联", "youth_league": "共青团", "womens_federation": "妇联",
    "science_technology": "科技", "education": "教育", "culture_arts": "文化艺术", "medicine_health": "医药卫生",
    "agriculture": "农业", "economy": "经济", "ethnic_minorities": "少数民族", "religion": "宗教",
    "specially_invited": "特邀",
}
