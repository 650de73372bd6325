"""The audit trail: who did what to which record, and the hash chain that makes it tamper-evident.

Storage writes an ``AuditEntry`` in the same transaction as every change
(``db`` does it inside each save, so no service can forget). Entries are
numbered 1, 2, 3… with no gaps; each carries the SHA-256 of its own content
and of the previous entry's hash, and a one-row *head* holds the number and
hash of the last entry. ``verify_chain`` walks the entries and names the
first one that was edited, deleted or inserted by hand.

The chain has no secret key: it proves that nobody changed the log through
the program or by editing rows, not that nobody who read this code rebuilt
the whole chain. Backups keep earlier copies of the chain to compare with.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from village_desk.ids import UserId

GENESIS_HASH = "0" * 64
EMPTY_VALUE = "（空）"


class AuditAction(enum.StrEnum):
    CREATE = "新建"
    UPDATE = "修改"
    CLOSE = "撤销"
    REVERSE = "冲销"
    ISSUE = "发布"
    PRINT = "打印"
    EXPORT = "导出"
    LOGIN = "登录"
    LOGIN_FAILED = "登录失败"
    LOGOUT = "退出登录"
    BACKUP = "备份"
    RESTORE = "恢复"
    SETTINGS = "修改设置"
    CHANGE = "变动"  # an operation of the register: 分户, 合户, 迁入, 迁出, 新生, 死亡…
    IMPORT = "导入"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def text(self) -> str:
        """``电话：13904751234 → 13904759999``, an empty value as （空）, for the viewer and exports."""
        return f"{self.label}：{self.old or EMPTY_VALUE} → {self.new or EMPTY_VALUE}"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: dt.datetime
    user_id: UserId | None
    username: str
    user_name: str
    action: str  # an AuditAction's text; kept as read, so a row edited by hand still loads
    record_type: str
    record_id: int | None
    summary: str
    changes: tuple[FieldChange, ...]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainHead:
    """The number and hash of the last entry, kept in its own row."""

    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """``problem`` is empty when the chain is whole; else it names the first problem in Chinese."""

    count: int
    problem: str = ""
    problem_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer asks for; ``None`` means any."""

    username: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    record_type: str | None = None
    action: AuditAction | None = None
    record_id: int | None = None


def audit_text(value: object) -> str:
    """How a field value is written into the log: plain text a clerk can read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(audit_text(v) for v in value)
    return str(value)


def changes_between(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[FieldChange, ...]:
    """The fields whose text differs, in the order of ``new`` (a created record: ``old`` is empty)."""
    return tuple(
        FieldChange(name, old.get(name, ""), value)
        for name, value in new.items()
        if old.get(name, "") != value
    )


def entry_hash(
    seq: int,
    at: dt.datetime,
    user_id: int | None,
    username: str,
    user_name: str,
    action: str,
    record_type: str,
    record_id: int | None,
    summary: str,
    changes: Iterable[FieldChange],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) over the entry's content and the previous hash, as canonical JSON."""
    content = [
        seq,
        at.strftime("%Y-%m-%d %H:%M:%S"),
        user_id,
        username,
        user_name,
        str(action),
        record_type,
        record_id,
        summary,
        [[c.field, c.old, c.new] for c in changes],
        prev_hash,
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """The hash ``entry`` should carry given its content and ``prev_hash``."""
    return entry_hash(
        entry.seq,
        entry.at,
        entry.user_id,
        entry.username,
        entry.user_name,
        entry.action,
        entry.record_type,
        entry.record_id,
        entry.summary,
        entry.changes,
        entry.prev_hash,
    )


def describe(entry: AuditEntry) -> str:
    """``第12条（2026-11-28 14:30 王会计 修改 人员“张三”）`` for messages."""
    what = f"{entry.record_type}“{entry.summary}”" if entry.summary else entry.record_type
    return f"第{entry.seq}条（{entry.at:%Y-%m-%d %H:%M} {entry.user_name} {entry.action} {what}）"


def verify_chain(entries: Iterable[AuditEntry], head: ChainHead | None) -> ChainReport:
    """Walk ``entries`` in number order; report the first one edited, deleted or inserted by hand."""
    expected = 1
    prev_hash = GENESIS_HASH
    count = 0
    for entry in entries:
        count += 1
        if head is not None and entry.seq > head.seq:
            return ChainReport(
                count,
                f"{describe(entry)}在日志末尾之后，不是本软件写入的，是被手工插入的。",
                entry.seq,
            )
        if entry.seq < expected:
            return ChainReport(count, f"{describe(entry)}的编号重复或顺序被打乱，是被手工插入的。", entry.seq)
        if entry.seq > expected:
            gone = f"第{expected}条" if entry.seq == expected + 1 else f"第{expected}至第{entry.seq - 1}条"
            return ChainReport(count, f"{gone}操作记录被删除了（在{describe(entry)}之前）。", expected)
        if hash_of(entry) != entry.hash:
            return ChainReport(
                count,
                f"{describe(entry)}的内容与校验值不符：它被改动过，或是被手工插入的。",
                entry.seq,
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(
                count,
                f"{describe(entry)}与前一条接不上：前一条被改动、删除或替换过。",
                entry.seq,
            )
        prev_hash = entry.hash
        expected += 1
    last = expected - 1
    if head is None:
        if last:
            return ChainReport(count, "操作日志的末尾记号丢失了，日志可能被改动过。", last)
        return ChainReport(count)
    if head.seq > last:
        gone = f"第{head.seq}条" if head.seq == last + 1 else f"第{last + 1}至第{head.seq}条"
        return ChainReport(count, f"最后的{gone}操作记录被删除了。", last + 1)
    if head.hash != prev_hash:
        return ChainReport(count, f"最后一条（第{last}条）操作记录被替换过。", last)
    return ChainReport(count)


# Field names as the log viewer shows them; a field not listed shows its name.
FIELD_LABELS: dict[str, str] = {
    "name": "名称/姓名",
    "kind": "类别",
    "township": "乡镇",
    "township_kind": "乡镇类别",
    "county": "县旗",
    "county_kind": "县旗类别",
    "city": "市盟",
    "city_kind": "市盟类别",
    "org_name": "集体经济组织名称",
    "uscc": "统一社会信用代码",
    "address": "地址",
    "supervision_phone": "监督电话",
    "complaint_phone": "投诉电话",
    "seal_committee": "村委会印章",
    "seal_party": "党组织印章",
    "seal_org": "经济组织印章",
    "seal_supervision": "监委会印章",
    "number": "编号",
    "leader_name": "组长",
    "note": "备注",
    "closed_reason": "撤销原因",
    "gender": "性别",
    "ethnicity": "民族",
    "id_number": "身份证号码",
    "phone": "电话",
    "group_id": "村民小组",
    "knows_accounting": "懂财会",
    "person_id": "人员",
    "body": "组织",
    "role": "职务",
    "term_start": "任期开始",
    "term_end": "任期结束",
    "left_on": "离任日期",
    "left_reason": "离任原因",
    "status": "状态",
    "joined_on": "入党日期",
    "head_name": "户主",
    "households": "联系农户",
    "person_a_id": "人员甲",
    "person_b_id": "人员乙",
    "ended_reason": "解除原因",
    "username": "用户名",
    "display_name": "姓名",
    "roles": "角色",
    "password": "密码",
    "must_change_password": "下次登录须改密码",
    "idle_lock_minutes": "无操作锁定（分钟）",
    "backup_dir": "备份文件夹",
    "file": "文件",
    # 公示公告 (a notice's kind and body are logged as notice_kind and body_text: "kind" and
    # "body" already name other records' fields)
    "category": "公开类别",
    "notice_kind": "种类",
    "title": "标题",
    "body_text": "正文",
    "attachments": "附件",
    "period_start": "公示开始日期",
    "period_end": "公示结束日期",
    "period_unit": "公示期计法",
    "period_rule": "公示期限类型",
    "objection": "异议方式",
    "show_phones": "印监督和投诉电话",
    "issuer": "落款",
    "issue_date": "发布日期",
    "seal": "印章",
    "letterhead": "红色版头",
    "paper": "纸张",
    "source": "来源",
    "year": "年度",
    "seq": "顺序号",
    "issued_at": "发布时间",
    "issued_by": "发布人",
    "pdf_sha256": "PDF校验值",
    "posted_on": "张贴日期",
    "taken_down_on": "撤下日期",
    "supersedes_id": "更正的原公示",
    "superseded_by_id": "更正公告",
    "cancelled_reason": "作废原因",
    "notice_id": "公示公告",
    "filename": "文件名",
    "taken_on": "拍摄日期",
    "added_by": "添加人",
    "size": "大小（字节）",
    "received_on": "收到日期",
    "from_whom": "反映人",
    "content": "反映内容",
    "answer": "答复",
    "answered_on": "答复日期",
    "answered_by": "答复人",
    "number_formats": "编号格式",
    "period_rules": "公示期限",
    "cadences": "公开周期",
    "grace_days": "公开宽限天数",
    "holidays": "法定节假日",
    "extra_workdays": "调休上班日",
    "fonts": "字体",
    # 农户档案 and 防返贫监测 (a file's category is logged as household_category, a member's joined_on
    # as joined_household_on: "category" and "joined_on" already name fields of notices and party members)
    "household": "所属农户",
    "household_category": "户类别",
    "helper_name": "帮扶责任人",
    "bank_name": "补贴发放银行",
    "bank_account": "一卡通账号",
    "housing_structure": "住房结构",
    "housing_area": "住房面积（平方米）",
    "housing_level": "房屋安全等级",
    "housing_appraised_year": "房屋鉴定年份",
    "housing_renovated": "危房改造情况",
    "safe_water": "饮水安全",
    "land_contracted": "承包地（亩）",
    "land_out": "流转出（亩）",
    "land_in": "流转入（亩）",
    "ewes": "基础母羊（只）",
    "cows": "基础母牛（头）",
    "fattening_sheep": "育肥羊（只）",
    "fattening_cattle": "育肥牛（头）",
    "sheep_sold": "羊出栏（只）",
    "cattle_sold": "牛出栏（头）",
    "beet_area": "甜菜（亩）",
    "other_crops": "其他作物",
    "loans": "贷款",
    "relation": "与户主关系",
    "education": "文化程度",
    "school_stage": "在校阶段",
    "health": "健康状况",
    "illness": "病种",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "disability_card": "残疾证号",
    "labour": "劳动能力",
    "work_place": "务工地点",
    "work_months": "务工月数",
    "medical_insurance": "参加基本医疗保险",
    "pension_insurance": "参加基本养老保险",
    "status_on": "变动日期",
    "status_reason": "变动原因",
    "joined_household_on": "入户日期",
    "wages": "工资性收入（元）",
    "business": "经营性收入（元）",
    "assets": "财产性收入（元）",
    "transfer": "转移性收入（元）",
    "production_costs": "生产经营性支出（元）",
    "medical_costs": "自付医疗费用（元）",
    "risk_types": "风险类型",
    "identified_on": "识别日期",
    "situation": "情况说明",
    "identification_notice": "识别公示",
    "township_reviewed_on": "乡镇审核日期",
    "county_approved_on": "县级审定日期",
    "rejected_reason": "未纳入原因",
    "stable_since": "收入稳定起始日期",
    "elimination_notice": "风险消除公示",
    "eliminated_on": "风险消除日期",
    "relapse_of_id": "返贫前的监测记录",
    "what": "措施内容",
    "started_on": "开始日期",
    "amount": "金额（元）",
    "visited_on": "走访日期",
    "visitor": "走访人",
    "found": "走访情况",
    "next_on": "下次走访日期",
    "paid_on": "发放日期",
    "person": "人员",
    "categories": "户类别列表",
    "monitoring_lines": "监测线（元/人/年）",
    "watch_level": "关注线（元/人/年）",
    "drop_share": "收入下降比例",
    "medical_share": "医疗支出占纯收入比例",
    "medical_amount": "医疗支出金额（元）",
    "school_ages": "义务教育年龄",
    "working_ages": "劳动年龄",
    "stable_months": "收入稳定月数",
    "min_months_in_monitoring": "最短监测月数",
    "target_sheep_households": "目标：养羊大户数",
    "target_sheep_threshold": "养羊大户标准（只）",
    "target_cattle_households": "目标：养牛大户数",
    "target_cattle_threshold": "养牛大户标准（头）",
    "target_ewes": "目标：基础母羊（只）",
    "target_cows": "目标：基础母牛（头）",
    "target_sheep_per_poor_person": "目标：脱贫人口人均羊（只）",
    "target_cattle_per_poor_person": "目标：脱贫人口人均牛（头）",
    "target_beet_area": "目标：甜菜（亩）",
    "visit_interval_days": "走访间隔（天）",
    "education_subsidies": "教育补助标准",
    "rain_and_dew": "雨露计划补助（元）",
    # 集体财务 (a voucher's number, date and 附单据 count are logged as voucher_number, voucher_date and
    # attachment_count: "number" and "attachments" already name a notice's fields; opening balances are
    # logged per account, the field being the account's code and name)
    "code": "编码",
    "start": "启用期间",
    "voucher_types": "凭证类型",
    "closed_through": "已结账至",
    "grants": "授权",
    "cashier_name": "出纳",
    "income_target": "村集体收益目标（元）",
    "lines_per_form": "每张凭证行数",
    "account_class": "科目类别",
    "side": "余额方向",
    "aux": "辅助核算",
    "disabled_reason": "停用原因",
    "type_code": "凭证字",
    "voucher_number": "凭证号",
    "voucher_date": "凭证日期",
    "attachment_count": "附单据（张）",
    "prepared_by": "制单",
    "reviewed_by": "审核",
    "reviewed_at": "审核时间",
    "posted_by": "记账",
    "posted_at": "记账时间",
    "void_reason": "作废原因",
    "correction": "更正方式",
    "corrects": "更正的凭证",
    "origin": "来源",
    "lines": "分录",
    "date": "日期",
    "summary": "摘要",
    "deposit": "收入（元）",
    "withdrawal": "支出（元）",
    "reference": "结算号",
    "matched": "对应凭证",
}
