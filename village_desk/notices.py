"""Public notices of 三务公开: the records, their lifecycle and their rules.

A ``Notice`` is written as a draft, then *issued*: it gets its number
(村务公示〔2026〕3号, consecutive per category and year), its PDF is frozen and
stored with its SHA-256, and it can no longer be edited. It is then *posted*
on the board (a date, photos), its 公示 period runs out, and it is *taken
down*. A mistake in an issued notice is corrected by a new notice that
*supersedes* it; both stay in the archive. A draft that is not wanted is
*cancelled* with a reason, never deleted.

The body is a sequence of blocks: paragraphs (a heading level 1–4 is read
from the line's own numbering: 一、 （一） 1. （1）) and tables. In the editor
the text holds a marker line 【表1】 where the first table goes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NewType, Protocol

from village_desk.errors import FieldError, ValidationError
from village_desk.village import VillageProfile

NoticeId = NewType("NoticeId", int)
NoticePhotoId = NewType("NoticePhotoId", int)
NoticeFeedbackId = NewType("NoticeFeedbackId", int)


class NoticeCategory(StrEnum):
    PARTY = "党务"
    VILLAGE = "村务"
    FINANCE = "财务"


class NoticeKind(StrEnum):
    PUBLICITY = "公示"
    ANNOUNCEMENT = "公告"
    NOTIFICATION = "通知"
    DISCLOSURE = "公开"


class NoticeStatus(StrEnum):
    DRAFT = "草稿"
    ISSUED = "已发布"
    POSTED = "已张贴"
    TAKEN_DOWN = "已撤下"
    CANCELLED = "已作废"


class PeriodUnit(StrEnum):
    DAYS = "天"
    WORKING_DAYS = "个工作日"


class SealPosition(StrEnum):
    NONE = "不盖章"
    ON_DATE = "印章压落款和日期"


class PaperChoice(StrEnum):
    AUTO = "自动"
    A4_PORTRAIT = "A4纵向"
    A4_LANDSCAPE = "A4横向"
    A3_LANDSCAPE = "A3横向"


class ColumnKind(StrEnum):
    """What a table column holds; it decides alignment, totals and masking."""

    TEXT = "文字"
    NUMBER = "数字"
    MONEY = "金额"
    DATE = "日期"
    ID_NUMBER = "身份证号"
    PHONE = "电话"
    BANK_ACCOUNT = "银行账号"
    # Health, disability and the like: never on a public notice, only on 内部资料.
    SENSITIVE = "敏感信息"


NUMERIC_KINDS = frozenset({ColumnKind.NUMBER, ColumnKind.MONEY})
MASKED_KINDS = frozenset({ColumnKind.ID_NUMBER, ColumnKind.PHONE, ColumnKind.BANK_ACCOUNT})


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class NoticeTable:
    """A table: cells are text as typed; number and money cells must read as decimals.

    ``totals`` adds a 合计 row summing the number and money columns.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...] = ()
    totals: bool = False
    title: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of body text; ``level`` 1–4 for a heading (一、 （一） 1. （1）), 0 for plain text."""

    text: str
    level: int = 0


Block = Paragraph | NoticeTable


@dataclass(frozen=True)
class Notice:
    id: NoticeId | None
    category: NoticeCategory
    kind: NoticeKind
    title: str
    body: tuple[Block, ...] = ()
    attachments: tuple[str, ...] = ()
    # The 公示 period; ``period_rule`` names the default it came from (一般公示, 低保…).
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    period_unit: PeriodUnit = PeriodUnit.DAYS
    period_rule: str = ""
    objection: str = ""  # how to object (公示期间如有异议…)
    show_phones: bool = True  # print the village's 监督电话/投诉电话
    issuer: str = ""  # 落款, e.g. 小大歹村村民委员会
    issue_date: dt.date | None = None  # the date printed; set when issued if empty
    seal: SealPosition = SealPosition.ON_DATE
    letterhead: bool = False  # red 版头 and red line (公告, 通知)
    paper: PaperChoice = PaperChoice.AUTO
    source: str = ""  # which module built it (监测, 财务公开…), for the list
    status: NoticeStatus = NoticeStatus.DRAFT
    number: str = ""
    year: int | None = None
    seq: int | None = None
    issued_at: dt.datetime | None = None
    issued_by: str = ""
    pdf_sha256: str = ""
    posted_on: dt.date | None = None
    taken_down_on: dt.date | None = None
    supersedes: NoticeId | None = None
    superseded_by: NoticeId | None = None
    cancelled_reason: str = ""
    version: int = 0

    @property
    def is_draft(self) -> bool:
        return self.status is NoticeStatus.DRAFT

    @property
    def is_issued(self) -> bool:
        """Issued and not cancelled: it has a number and a frozen PDF."""
        return self.status in ISSUED_STATUSES

    @property
    def tables(self) -> tuple[NoticeTable, ...]:
        return tuple(b for b in self.body if isinstance(b, NoticeTable))


@dataclass(frozen=True)
class NoticePhoto:
    """A photo of the notice on the board (bytes loaded only when asked for)."""

    id: NoticePhotoId | None
    notice_id: NoticeId
    filename: str
    taken_on: dt.date | None = None
    note: str = ""
    added_by: str = ""
    size: int = 0


class FeedbackKind(StrEnum):
    OBJECTION = "异议"
    ENQUIRY = "询问"


@dataclass(frozen=True)
class NoticeFeedback:
    """An objection or enquiry received during the period, and the answer given."""

    id: NoticeFeedbackId | None
    notice_id: NoticeId
    received_on: dt.date
    kind: FeedbackKind
    from_whom: str
    content: str
    answer: str = ""
    answered_on: dt.date | None = None
    answered_by: str = ""
    version: int = 0


# --- settings ----------------------------------------------------------------------------------------


class Cadence(StrEnum):
    MONTHLY = "每月"
    QUARTERLY = "每季度"
    YEARLY = "每年"


class FontRole(StrEnum):
    TITLE = "标题"
    BODY = "正文"
    HEI = "黑体"
    KAI = "楷体"


@dataclass(frozen=True)
class PeriodRule:
    """A default 公示 length: ``name`` as the clerk picks it, ``days`` in ``unit``."""

    name: str
    days: int
    unit: PeriodUnit = PeriodUnit.DAYS


DEFAULT_NUMBER_FORMAT = "{类别}{种类}〔{年}〕{号}号"
DEFAULT_OBJECTION = (
    # No phone named here: the profile's 监督电话/投诉电话 print below it only when they are set.
    "公示期间，如对公示内容有异议，请向村务监督委员会或村民委员会实名反映。"
)
DEFAULT_PERIOD_RULES: tuple[PeriodRule, ...] = (
    PeriodRule("一般公示", 5),
    PeriodRule("防返贫监测对象识别", 5),
    PeriodRule("防返贫风险消除", 5),
    PeriodRule("低保", 7),
    PeriodRule("发展党员", 5, PeriodUnit.WORKING_DAYS),
    PeriodRule("评选表彰", 5),
    PeriodRule("财务公开", 7),
    PeriodRule("项目公示", 7),
)
DEFAULT_CADENCES: tuple[tuple[NoticeCategory, Cadence], ...] = (
    (NoticeCategory.PARTY, Cadence.QUARTERLY),
    (NoticeCategory.VILLAGE, Cadence.QUARTERLY),
    (NoticeCategory.FINANCE, Cadence.MONTHLY),
)


@dataclass(frozen=True)
class NoticeSettings:
    """Settings of the notice engine, kept with the data and changed by 管理员 (audited)."""

    number_formats: tuple[tuple[NoticeCategory, str], ...] = tuple(
        (c, DEFAULT_NUMBER_FORMAT) for c in NoticeCategory
    )
    period_rules: tuple[PeriodRule, ...] = DEFAULT_PERIOD_RULES
    cadences: tuple[tuple[NoticeCategory, Cadence], ...] = DEFAULT_CADENCES
    # Days after a period ends by which its disclosure must be up (e.g. finance by the 10th).
    grace_days: int = 10
    holidays: tuple[dt.date, ...] = ()  # 法定节假日 that fall on weekdays
    extra_workdays: tuple[dt.date, ...] = ()  # 调休上班日 that fall on weekends
    objection: str = DEFAULT_OBJECTION
    # Font file per role ("" = automatic: the system's GB font, else the bundled one).
    fonts: tuple[tuple[FontRole, str], ...] = ()
    version: int = 0

    def number_format(self, category: NoticeCategory) -> str:
        return dict(self.number_formats).get(category, DEFAULT_NUMBER_FORMAT)

    def cadence(self, category: NoticeCategory) -> Cadence:
        return dict(self.cadences).get(category, Cadence.QUARTERLY)

    def font(self, role: FontRole) -> str:
        return dict(self.fonts).get(role, "")

    def period_rule(self, name: str) -> PeriodRule:
        for rule in self.period_rules:
            if rule.name == name:
                return rule
        return self.period_rules[0] if self.period_rules else PeriodRule("一般公示", 5)

    def calendar(self) -> WorkCalendar:
        return WorkCalendar(frozenset(self.holidays), frozenset(self.extra_workdays))


_PLACEHOLDERS = ("{类别}", "{种类}", "{年}", "{号}")


def settings_problems(settings: NoticeSettings) -> list[FieldError]:
    problems: list[FieldError] = []
    for category, fmt in settings.number_formats:
        if "{号}" not in fmt or "{年}" not in fmt:
            problems.append(
                FieldError(
                    "number_formats",
                    f"{category}的编号格式“{fmt}”里要有{{年}}和{{号}}，例如“{DEFAULT_NUMBER_FORMAT}”。",
                )
            )
        leftover = fmt
        for placeholder in _PLACEHOLDERS:
            leftover = leftover.replace(placeholder, "")
        if "{" in leftover or "}" in leftover:
            problems.append(
                FieldError(
                    "number_formats",
                    f"{category}的编号格式“{fmt}”里有不认识的占位符；只能用{{类别}}{{种类}}{{年}}{{号}}。",
                )
            )
    names = [rule.name.strip() for rule in settings.period_rules]
    if not names:
        problems.append(FieldError("period_rules", "至少要有一种公示期限。"))
    if any(not n for n in names):
        problems.append(FieldError("period_rules", "公示期限的名称不能为空。"))
    if len(set(names)) != len(names):
        problems.append(FieldError("period_rules", "公示期限的名称重复了，每种名称只能出现一次。"))
    for rule in settings.period_rules:
        if not 1 <= rule.days <= 90:
            problems.append(
                FieldError("period_rules", f"“{rule.name}”的公示期限应在1到90之间，现在是{rule.days}。")
            )
    if not 0 <= settings.grace_days <= 60:
        problems.append(FieldError("grace_days", "公开期限的宽限天数应在0到60天之间。"))
    return problems


# --- the working-day calendar -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends are rest days, except ``extra_workdays``; ``holidays`` are rest days too."""

    holidays: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def period_end_for(start: dt.date, length: int, unit: PeriodUnit, calendar: WorkCalendar) -> dt.date:
    """The last day of a period of ``length`` days (or working days) starting on ``start``.

    In working days the start counts if it is a working day; otherwise counting
    begins on the next one.
    """
    if length < 1:
        raise ValueError(f"period length must be positive, got {length}")
    if unit is PeriodUnit.DAYS:
        return start + dt.timedelta(days=length - 1)
    day = start
    counted = 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == length:
                return day
        day += dt.timedelta(days=1)


def period_length(start: dt.date, end: dt.date, unit: PeriodUnit, calendar: WorkCalendar) -> int:
    """How many days (or working days) from ``start`` to ``end``, both included."""
    if end < start:
        return 0
    if unit is PeriodUnit.DAYS:
        return (end - start).days + 1
    return sum(1 for i in range((end - start).days + 1) if calendar.is_workday(start + dt.timedelta(days=i)))


def chinese_date(day: dt.date) -> str:
    """2026年1月5日: Arabic numerals, no leading zeros (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(notice: Notice, calendar: WorkCalendar) -> str:
    """公示期：2026年11月30日至2026年12月4日，共5天。 (empty when the notice has no period)."""
    if notice.period_start is None or notice.period_end is None:
        return ""
    count = period_length(notice.period_start, notice.period_end, notice.period_unit, calendar)
    return (
        f"公示期：{chinese_date(notice.period_start)}至{chinese_date(notice.period_end)}，"
        f"共{count}{notice.period_unit.value}。"
    )


class NoticePhase(StrEnum):
    """Where an issued notice stands on a given day (shown beside its status)."""

    NOT_YET = "未到公示期"
    RUNNING = "公示中"
    OVER = "公示期满"
    NONE = ""


ISSUED_STATUSES = frozenset({NoticeStatus.ISSUED, NoticeStatus.POSTED, NoticeStatus.TAKEN_DOWN})


class _Listed(Protocol):
    """What ``phase`` and ``status_text`` read: a ``Notice`` or a ``NoticeSummary``."""

    @property
    def status(self) -> NoticeStatus: ...
    @property
    def period_start(self) -> dt.date | None: ...
    @property
    def period_end(self) -> dt.date | None: ...
    @property
    def superseded_by(self) -> NoticeId | None: ...


def phase(notice: _Listed, today: dt.date) -> NoticePhase:
    if notice.status not in ISSUED_STATUSES or notice.period_start is None or notice.period_end is None:
        return NoticePhase.NONE
    if today < notice.period_start:
        return NoticePhase.NOT_YET
    if today <= notice.period_end:
        return NoticePhase.RUNNING
    return NoticePhase.OVER


def status_text(notice: _Listed, today: dt.date) -> str:
    """The status as the list shows it: 草稿, 已发布·公示中, 已张贴·公示期满, 已被更正…"""
    text = notice.status.value
    if notice.superseded_by is not None:
        return f"{text}·已被更正"
    current = phase(notice, today)
    if current is not NoticePhase.NONE and notice.status is not NoticeStatus.TAKEN_DOWN:
        return f"{text}·{current.value}"
    return text


# --- numbers ------------------------------------------------------------------------------------------


def format_number(fmt: str, category: NoticeCategory, kind: NoticeKind, year: int, seq: int) -> str:
    """村务公示〔2026〕3号: full year, no 第, no leading zeros."""
    return (
        fmt.replace("{类别}", category.value)
        .replace("{种类}", kind.value)
        .replace("{年}", str(year))
        .replace("{号}", str(seq))
    )


# --- body text ----------------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百零〇"
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^[0-9０-９]+[.．、](?![0-9０-９])")),
    (4, re.compile(r"^[（(][0-9０-９]+[）)]")),
)
TABLE_MARKER = re.compile(r"^【表([0-9]+)】$")


def heading_level(line: str) -> int:
    """1–4 when the line starts with 一、 （一） 1. （1）, else 0."""
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return 0


def table_marker(index: int) -> str:
    """The line that stands for table ``index`` (0-based) in the editor's text: 【表1】."""
    return f"【表{index + 1}】"


def body_from_text(text: str, tables: Sequence[NoticeTable] = ()) -> tuple[Block, ...]:
    """Paragraphs from the editor's text (one per non-empty line), tables where their markers are.

    A table whose marker is missing goes after the text, in order; a marker
    for a table that does not exist stays as text, so nothing typed is lost.
    """
    blocks: list[Block] = []
    placed: set[int] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        marker = TABLE_MARKER.match(line)
        if marker is not None:
            index = int(marker.group(1)) - 1
            if 0 <= index < len(tables) and index not in placed:
                blocks.append(tables[index])
                placed.add(index)
                continue
        blocks.append(Paragraph(line, heading_level(line)))
    blocks.extend(t for i, t in enumerate(tables) if i not in placed)
    return tuple(blocks)


def text_from_body(body: Iterable[Block]) -> tuple[str, tuple[NoticeTable, ...]]:
    """The editor's text (markers for tables) and the tables, the inverse of ``body_from_text``."""
    lines: list[str] = []
    tables: list[NoticeTable] = []
    for block in body:
        if isinstance(block, NoticeTable):
            lines.append(table_marker(len(tables)))
            tables.append(block)
        else:
            lines.append(block.text)
    return "\n".join(lines), tuple(tables)


# --- numbers in tables --------------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """A number as typed (1,234.50 / １２３ / -5 / empty → None); ``None`` also when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("元", "")
    cleaned = cleaned.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_cell(text: str, kind: ColumnKind) -> str:
    """Numbers with thousands separators; money with two decimals; other kinds as they are."""
    if kind not in NUMERIC_KINDS:
        return text
    value = parse_decimal(text)
    if value is None:
        return text
    if kind is ColumnKind.MONEY:
        return f"{value.quantize(Decimal('0.01')):,}"
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,}"


def totals_row(table: NoticeTable) -> tuple[str, ...]:
    """The 合计 row: sums of number and money columns, 合计 in the first text column."""
    cells: list[str] = []
    label_placed = False
    for index, column in enumerate(table.columns):
        if column.kind in NUMERIC_KINDS:
            total = sum(
                (
                    v
                    for row in table.rows
                    if index < len(row) and (v := parse_decimal(row[index])) is not None
                ),
                Decimal(0),
            )
            cells.append(str(total))
        elif not label_placed:
            cells.append("合计")
            label_placed = True
        else:
            cells.append("")
    return tuple(cells)


# --- validation and the lifecycle ---------------------------------------------------------------------


# What the templates leave for the clerk to fill in (根据……的规定).
PLACEHOLDER = "……"


def notice_problems(notice: Notice, *, internal: bool = False) -> list[FieldError]:
    """What stops a notice from being issued (or printed as a public notice)."""
    problems: list[FieldError] = []
    if not notice.title.strip():
        problems.append(FieldError("title", "请填写标题，例如“关于2026年低保对象的公示”。"))
    elif len(notice.title) > 80:
        problems.append(FieldError("title", "标题太长了（超过80个字），请精简。"))
    if not any(isinstance(b, NoticeTable) or b.text.strip() for b in notice.body):
        problems.append(FieldError("body", "正文是空的，请写上公示或公开的内容。"))
    if not notice.issuer.strip():
        problems.append(FieldError("issuer", "请填写落款单位，例如“小大歹村村民委员会”。"))
    if notice.kind is NoticeKind.PUBLICITY:
        if notice.period_start is None or notice.period_end is None:
            problems.append(FieldError("period", "公示要写明公示期：请填写开始和结束日期。"))
        elif notice.period_end < notice.period_start:
            problems.append(FieldError("period", "公示期的结束日期早于开始日期，请改正。"))
    if notice.letterhead and notice.kind not in (NoticeKind.ANNOUNCEMENT, NoticeKind.NOTIFICATION):
        problems.append(FieldError("letterhead", "红色版头只用于公告和通知。"))
    for number, table in enumerate(notice.tables, start=1):
        problems.extend(_table_problems(number, table, internal))
    texts = [notice.title, *(b.text for b in notice.body if isinstance(b, Paragraph))]
    if any(PLACEHOLDER in text for text in texts):
        problems.append(
            FieldError("body", f"标题或正文里还有模板留下的“{PLACEHOLDER}”没有填写，请填上具体内容。")
        )
    return problems


def _table_problems(number: int, table: NoticeTable, internal: bool) -> list[FieldError]:
    problems: list[FieldError] = []
    if not table.columns:
        return [FieldError("body", f"表{number}没有列，请至少加一列。")]
    if not any(cell.strip() for row in table.rows for cell in row):
        problems.append(FieldError("body", f"表{number}还是空的，请填上内容，或者删掉这张表。"))
    if not internal:
        for column in table.columns:
            if column.kind is ColumnKind.SENSITIVE:
                problems.append(
                    FieldError(
                        "body",
                        f"表{number}的“{column.title}”一列是健康、残疾等敏感信息，不能上公开栏；"
                        "请删去这一列，或只作为“内部资料”打印。",
                    )
                )
    for row_number, row in enumerate(table.rows, start=1):
        if len(row) > len(table.columns):
            problems.append(FieldError("body", f"表{number}第{row_number}行的格子比列多，请检查这一行。"))
        for column, cell in zip(table.columns, row, strict=False):
            if column.kind in NUMERIC_KINDS and cell.strip() and parse_decimal(cell) is None:
                problems.append(
                    FieldError(
                        "body",
                        f"表{number}第{row_number}行“{column.title}”应是数字，现在是“{cell}”。",
                    )
                )
    return problems


def ensure_editable(notice: Notice) -> None:
    """Only drafts change; an issued notice is corrected by a new one."""
    if notice.status is NoticeStatus.CANCELLED:
        raise ValidationError.single("status", "这份草稿已经作废，不能再修改；如需要，请新建一份。")
    if not notice.is_draft:
        raise ValidationError.single(
            "status",
            f"“{notice.title}”已经发布（{notice.number}），内容和PDF都已定稿，不能再修改。"
            "如有错误，请用“更正”新建一份更正公告，原件仍留在档案里。",
        )


def issued(
    notice: Notice,
    *,
    number: str,
    year: int,
    seq: int,
    at: dt.datetime,
    by: str,
    pdf_sha256: str,
) -> Notice:
    ensure_editable(notice)
    return replace(
        notice,
        status=NoticeStatus.ISSUED,
        number=number,
        year=year,
        seq=seq,
        issued_at=at,
        issued_by=by,
        pdf_sha256=pdf_sha256,
        issue_date=notice.issue_date or at.date(),
    )


def posted(notice: Notice, on: dt.date) -> Notice:
    if notice.status not in (NoticeStatus.ISSUED, NoticeStatus.POSTED):
        raise ValidationError.single("posted_on", "只有已发布、还没撤下的公示才能登记张贴。")
    if notice.issue_date is not None and on < notice.issue_date:
        raise ValidationError.single(
            "posted_on", f"张贴日期不能早于发布日期（{chinese_date(notice.issue_date)}）。"
        )
    return replace(notice, status=NoticeStatus.POSTED, posted_on=on)


def taken_down(notice: Notice, on: dt.date) -> Notice:
    if notice.status not in (NoticeStatus.ISSUED, NoticeStatus.POSTED):
        raise ValidationError.single("taken_down_on", "只有已发布、还没撤下的公示才能登记撤下。")
    earliest = notice.posted_on or notice.issue_date
    if earliest is not None and on < earliest:
        raise ValidationError.single("taken_down_on", f"撤下日期不能早于{chinese_date(earliest)}。")
    return replace(notice, status=NoticeStatus.TAKEN_DOWN, taken_down_on=on)


def cancelled(notice: Notice, reason: str) -> Notice:
    ensure_editable(notice)
    if not reason.strip():
        raise ValidationError.single("cancelled_reason", "请写明作废的原因。")
    return replace(notice, status=NoticeStatus.CANCELLED, cancelled_reason=reason.strip())


def correction_draft(original: Notice) -> Notice:
    """A new draft that will supersede ``original`` when issued: same content, a 更正 title."""
    if not original.is_issued:
        raise ValidationError.single("status", "只有已发布的公示才需要更正；草稿直接修改就行。")
    if original.superseded_by is not None:
        raise ValidationError.single("status", "这份公示已经被更正过了，请更正最新的那一份。")
    title = original.title
    if not title.startswith("更正："):
        title = f"更正：{title}"
    intro = Paragraph(
        f"本村于{chinese_date(original.issue_date or dt.date.today())}发布的"
        f"《{original.title}》（{original.number}）有误，现更正如下，原公示作废。"
    )
    return replace(
        original,
        id=None,
        title=title,
        body=(intro, *original.body),
        status=NoticeStatus.DRAFT,
        number="",
        year=None,
        seq=None,
        issued_at=None,
        issued_by="",
        pdf_sha256="",
        posted_on=None,
        taken_down_on=None,
        issue_date=None,
        supersedes=original.id,
        superseded_by=None,
        cancelled_reason="",
        version=0,
    )


def feedback_problems(feedback: NoticeFeedback) -> list[FieldError]:
    problems: list[FieldError] = []
    if not feedback.content.strip():
        problems.append(FieldError("content", "请写明反映的内容。"))
    if feedback.answer.strip() and feedback.answered_on is None:
        problems.append(FieldError("answered_on", "请填写答复日期。"))
    if feedback.answered_on is not None and feedback.answered_on < feedback.received_on:
        problems.append(FieldError("answered_on", "答复日期不能早于收到的日期。"))
    return problems


class _Named(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def title(self) -> str: ...


def archive_file_name(notice: _Named) -> str:
    """村务公示〔2026〕3号 关于….pdf (a draft: 草稿 关于….pdf), without characters Windows forbids."""
    name = f"{notice.number or '草稿'} {notice.title}"
    for bad in '\\/:*?"<>|':
        name = name.replace(bad, "_")
    return f"{name[:120].strip()}.pdf"


# --- the list and its filter --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeFilter:
    category: NoticeCategory | None = None
    status: NoticeStatus | None = None
    year: int | None = None  # by issue year for issued notices, creation year for drafts
    text: str = ""  # in the title or the number


@dataclass(frozen=True)
class NoticeSummary:
    """One line of the notice list: what the list shows, without the body or the PDF."""

    id: NoticeId
    category: NoticeCategory
    kind: NoticeKind
    title: str
    status: NoticeStatus
    number: str
    issue_date: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    posted_on: dt.date | None
    taken_down_on: dt.date | None
    superseded_by: NoticeId | None
    supersedes: NoticeId | None
    pdf_sha256: str
    source: str
    photos: int = 0
    feedback_open: int = 0
    version: int = 0


# --- the disclosure calendar (../shared/domain §3) ------------------------------------------------------


class DueState(StrEnum):
    OK = "已公开"
    DUE = "待公开"
    OVERDUE = "已逾期"


@dataclass(frozen=True)
class DisclosurePeriod:
    start: dt.date
    end: dt.date
    label: str  # 2026年11月, 2026年第4季度


@dataclass(frozen=True)
class DisclosureDue:
    """Where a category stands: the current period, when its disclosure is due, what is overdue."""

    category: NoticeCategory
    cadence: Cadence
    state: DueState
    current: DisclosurePeriod
    due_by: dt.date  # the current period's deadline
    last_issued: dt.date | None
    overdue: tuple[DisclosurePeriod, ...] = field(default=())

    @property
    def text(self) -> str:
        last = f"最近一次{chinese_date(self.last_issued)}" if self.last_issued else "还没有发布过"
        if self.overdue:
            missing = "、".join(p.label for p in self.overdue[:3])
            more = f"等{len(self.overdue)}期" if len(self.overdue) > 3 else ""
            return f"{self.category}公开（{self.cadence}）：{missing}{more}未公开，已逾期；{last}。"
        if self.state is DueState.OK:
            return f"{self.category}公开（{self.cadence}）：{self.current.label}已公开；{last}。"
        return (
            f"{self.category}公开（{self.cadence}）：{self.current.label}的公开"
            f"请在{chinese_date(self.due_by)}前发布；{last}。"
        )


def disclosure_period(day: dt.date, cadence: Cadence) -> DisclosurePeriod:
    """The month, quarter or year that ``day`` falls in."""
    if cadence is Cadence.MONTHLY:
        start = day.replace(day=1)
        end = _month_end(day.year, day.month)
        return DisclosurePeriod(start, end, f"{day.year}年{day.month}月")
    if cadence is Cadence.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * quarter - 2, 1)
        end = _month_end(day.year, 3 * quarter)
        return DisclosurePeriod(start, end, f"{day.year}年第{quarter}季度")
    return DisclosurePeriod(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), f"{day.year}年")


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def disclosure_status(
    issue_dates: Iterable[tuple[NoticeCategory, dt.date]],
    settings: NoticeSettings,
    today: dt.date,
    since: dt.date | None = None,
) -> list[DisclosureDue]:
    """Per category: is this period's disclosure up, and which earlier periods never got one?

    Each issued notice discloses one period: the previous one when it went up
    within ``grace_days`` after that period ended and no earlier notice
    disclosed it (a month's finance disclosure usually goes up early
    the next month), else the period it was issued in. Periods before
    ``since`` (when the office started keeping notices here) and more than a
    year back are not counted.
    """
    by_category: dict[NoticeCategory, list[dt.date]] = {c: [] for c in NoticeCategory}
    for category, day in issue_dates:
        by_category[category].append(day)
    grace = dt.timedelta(days=settings.grace_days)
    horizon = today - dt.timedelta(days=366)
    if since is not None:
        horizon = max(horizon, since)
    result: list[DisclosureDue] = []
    for category in NoticeCategory:
        cadence = settings.cadence(category)
        days = sorted(by_category[category])
        disclosed: set[dt.date] = set()  # the start days of the periods disclosed
        for day in days:
            own = disclosure_period(day, cadence)
            previous = disclosure_period(own.start - dt.timedelta(days=1), cadence)
            in_grace = day <= previous.end + grace
            if in_grace and previous.start not in disclosed:
                disclosed.add(previous.start)
            else:
                disclosed.add(own.start)

        def covered(period: DisclosurePeriod, disclosed: set[dt.date] = disclosed) -> bool:
            return period.start in disclosed

        current = disclosure_period(today, cadence)
        overdue: list[DisclosurePeriod] = []
        period = disclosure_period(current.start - dt.timedelta(days=1), cadence)
        while period.end >= horizon:
            if today > period.end + grace and not covered(period):
                overdue.append(period)
            elif today <= period.end + grace and not covered(period):
                # Still within its grace: it is the one due now (the oldest such, the nearest deadline).
                current = period
            period = disclosure_period(period.start - dt.timedelta(days=1), cadence)
        due_by = current.end + grace
        if overdue:
            state = DueState.OVERDUE
        elif covered(current):
            state = DueState.OK
        else:
            state = DueState.DUE
        result.append(
            DisclosureDue(
                category=category,
                cadence=cadence,
                state=state,
                current=current,
                due_by=due_by,
                last_issued=days[-1] if days else None,
                overdue=tuple(overdue),
            )
        )
    return result


# --- rendering (``printing`` implements it; the composition root wires it in) --------------------------


@dataclass(frozen=True)
class RenderedNotice:
    """A notice as PDF bytes, with what the clerk should know about it.

    ``warnings``: characters no font has (printed as a box), masking applied,
    the paper chosen for a wide table. ``paper`` is the ``PaperChoice`` value
    used; ``pages`` and ``paper`` are 0 and empty for an issued notice's stored PDF.
    """

    pdf: bytes
    pages: int
    paper: str
    warnings: tuple[str, ...] = ()


class NoticeRenderer(Protocol):
    def __call__(
        self,
        notice: Notice,
        village: VillageProfile,
        settings: NoticeSettings,
        *,
        internal: bool = False,
    ) -> RenderedNotice:
        """The notice as it will print. Unless ``internal``, every personal value is masked
        (``privacy.public_notice``) and a sensitive column raises ``ValidationError``;
        ``internal`` prints full values under a 内部资料 mark. Same input, same bytes."""
        ...
