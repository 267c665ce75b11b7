"""The members service's vocabulary, each value with its Chinese label (DOMAIN.md is the source)."""

from __future__ import annotations

from contracts.labels import LabeledEnum


class Sector(LabeledEnum):
    """界别: the sector a member represents."""

    cpc = ("cpc", "中共")
    rckmt = ("rckmt", "民革")
    democratic_league = ("democratic_league", "民盟")
    democratic_construction = ("democratic_construction", "民建")
    promoting_democracy = ("promoting_democracy", "民进")
    peasants_workers = ("peasants_workers", "农工党")
    zhi_gong = ("zhi_gong", "致公党")
    jiusan = ("jiusan", "九三学社")
    non_party = ("non_party", "无党派")
    industry_commerce = ("industry_commerce", "工商联")
    youth_league = ("youth_league", "共青团")
    womens_federation = ("womens_federation", "妇联")
    science_technology = ("science_technology", "科技")
    education = ("education", "教育")
    culture_arts = ("culture_arts", "文化艺术")
    medicine_health = ("medicine_health", "医药卫生")
    agriculture = ("agriculture", "农业")
    economy = ("economy", "经济")
    ethnic_minorities = ("ethnic_minorities", "少数民族")
    religion = ("religion", "宗教")
    specially_invited = ("specially_invited", "特邀")


class MemberStatus(LabeledEnum):
    active = ("active", "在任")
    suspended = ("suspended", "暂停履职")
    resigned = ("resigned", "辞去委员")
    removed = ("removed", "撤销委员资格")
    deceased = ("deceased", "去世")
    term_ended = ("term_ended", "届满")


class ChairRole(LabeledEnum):
    """主席会议成员: the chair, vice-chairs and the secretary-general."""

    chair = ("chair", "主席")
    vice_chair = ("vice_chair", "副主席")
    secretary_general = ("secretary_general", "秘书长")


class OrganizationKind(LabeledEnum):
    democratic_party = ("democratic_party", "民主党派")
    industry_commerce_federation = ("industry_commerce_federation", "工商联")
    peoples_organization = ("peoples_organization", "人民团体")
    other = ("other", "其他团体")


class LiaisonContactKind(LabeledEnum):
    hometown_talent = ("hometown_talent", "在外乡贤")
    private_economy = ("private_economy", "非公经济人士")
    new_social_strata = ("new_social_strata", "新的社会阶层人士")
    member_enterprise = ("member_enterprise", "委员企业")


class MeetingKind(LabeledEnum):
    plenary = ("plenary", "全体会议")
    standing_committee = ("standing_committee", "常务委员会会议")
    chair_meeting = ("chair_meeting", "主席会议")
    consultation = ("consultation", "协商会")
    training_class = ("training_class", "培训班")


class AttendanceStatus(LabeledEnum):
    present = ("present", "出席")
    on_leave = ("on_leave", "请假")
    absent = ("absent", "无故缺席")


class AttendanceSource(LabeledEnum):
    check_in = ("check_in", "签到")
    roll_call = ("roll_call", "会务登记")
    closing = ("closing", "会后补记")


class LeaveReason(LabeledEnum):
    official_duty = ("official_duty", "公务")
    illness = ("illness", "病假")
    personal = ("personal", "事假")
    other = ("other", "其他")


class VisitKind(LabeledEnum):
    """两访: chair-meeting members visit grassroots members; members visit the people of their sector."""

    chair_visits_member = ("chair_visits_member", "主席会议成员走访基层委员")
    member_visits_sector = ("member_visits_sector", "委员走访界别群众")


class VisitRole(LabeledEnum):
    """三做: the roles a member takes in a visit."""

    grassroots_investigator = ("grassroots_investigator", "基层情况调查员")
    policy_explainer = ("policy_explainer", "党的政策宣讲员")
    service_provider = ("service_provider", "界别群众服务员")


class VisitOutcomeKind(LabeledEnum):
    proposal = ("proposal", "提案")
    opinion_report = ("opinion_report", "社情民意信息")


class TrainingKind(LabeledEnum):
    theory_study = ("theory_study", "理论学习")
    capacity_training = ("capacity_training", "履职能力培训")
    other = ("other", "其他学习培训")


class CharityKind(LabeledEnum):
    three_to_countryside = ("three_to_countryside", "三下乡")
    poverty_relief = ("poverty_relief", "扶贫济困")
    school_donation = ("school_donation", "捐资助学")
    other = ("other", "其他公益")


class AwardLevel(LabeledEnum):
    county = ("county", "县级")
    city = ("city", "市级")
    province = ("province", "省级")
    national = ("national", "国家级")


class ScoreCategory(LabeledEnum):
    base = ("base", "基本分")
    attendance = ("attendance", "参加会议")
    proposals = ("proposals", "提案工作")
    opinion_reports = ("opinion_reports", "社情民意")
    visits = ("visits", "两访三做")
    research = ("research", "调研视察")
    supervision = ("supervision", "民主监督")
    appraisal = ("appraisal", "民主评议")
    consultation = ("consultation", "协商议政")
    training = ("training", "学习培训")
    charity = ("charity", "公益慈善")
    awards = ("awards", "争先创优")
    liaison = ("liaison", "联谊交友")


class Grade(LabeledEnum):
    excellent = ("excellent", "优秀")
    good = ("good", "良好")
    competent = ("competent", "称职")
    incompetent = ("incompetent", "不称职")

    @property
    def rank(self) -> int:
        """Higher is better; used to apply a flag's grade ceiling."""
        return {"excellent": 3, "good": 2, "competent": 1, "incompetent": 0}[self.value]


class FactKind(LabeledEnum):
    """The duty facts a rulebook scores, each drawn from one kind of public event."""

    attendance = ("attendance", "会议出勤")
    proposal_accepted = ("proposal_accepted", "提案立案")
    key_proposal = ("key_proposal", "重点提案")
    opinion_report_submitted = ("opinion_report_submitted", "报送社情民意信息")
    opinion_report_adopted = ("opinion_report_adopted", "社情民意信息被采用")
    opinion_report_instructed = ("opinion_report_instructed", "社情民意信息获领导批示")
    visit = ("visit", "两访三做走访")
    research = ("research", "调研视察")
    supervision = ("supervision", "民主监督")
    appraisal = ("appraisal", "民主评议")
    consultation_speech = ("consultation_speech", "协商会上发言")
    consultation_written_opinion = ("consultation_written_opinion", "提交书面发言")
    training = ("training", "学习培训")
    charity = ("charity", "公益慈善")
    award = ("award", "表彰奖励")
    liaison_visit = ("liaison_visit", "联谊走访")


class FlagTiming(LabeledEnum):
    live = ("live", "随时提示")
    at_grading = ("at_grading", "年终考评时判定")


class WithdrawalReason(LabeledEnum):
    rescored = ("rescored", "按更正后的规则重新计分")
    recalculated = ("recalculated", "重新核算(上限或记录变化)")
    fact_superseded = ("fact_superseded", "履职记录已更正")
    left_roster = ("left_roster", "不在本年度委员名单")
