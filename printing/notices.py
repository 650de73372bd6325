"""A notice as PDF pages, in the official layout (GB/T 9704-2012 where it applies; ../shared/domain §4).

``render_notice`` implements ``village_desk.notices.NoticeRenderer``: records in, PDF bytes out.

The page is composed by a small layout engine of our own rather than platypus: a public notice is mostly
body text on a fixed grid (22 lines × 28 characters on A4, as Word's 文档网格 does it for official
documents), and long lists. reportlab's Paragraph has no character spacing and no Chinese line-breaking
rules (禁则), and a platypus Table of Paragraph cells takes seconds for a 1,000-row list. Here:

- Body text sits on the grid. Every character is drawn at 16 pt with the PDF character spacing ``Tc`` set
  to ``pitch − 16 pt`` (−0.21 pt on A4), so each CJK character advances exactly one grid cell
  (156 mm / 28) although the glyphs are 16 pt wide; Latin letters and digits keep their own widths. Lines
  are broken by our own breaker (no line starts with ，。、；：？！”）》 etc., none ends with “（《, numbers
  and words are not split) and justified by spreading the small remainder over ``Tc``. Lines sit on the
  22-line grid (225 mm / 22).
- Tables are drawn directly: measured column widths, wrapped cells, the header row repeated on every
  page, a 合计 row. 1,000 rows × 6 columns build in a fraction of a second.
- Pages are laid out completely before anything is drawn, so "第 x 页 共 y 页" knows its total.

Every string goes through ``printing.fonts.TextFonts``: each character in a font that has it, the rest
reported as warnings. The output is deterministic (``invariant=1``, no timestamps, subset names in order
of first use), so an issued notice's PDF can be checked against its stored SHA-256.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from reportlab.pdfgen import canvas

from printing.fonts import LoadedFont, TextFonts, resolve_fonts
from village_desk.notices import (
    NUMERIC_KINDS,
    ColumnKind,
    FontRole,
    Notice,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    PaperChoice,
    RenderedNotice,
    SealPosition,
    chinese_date,
    format_cell,
    period_text,
    totals_row,
)
from village_desk.privacy import public_notice
from village_desk.village import VillageProfile

MM = 72.0 / 25.4

# Sizes in points: 2号 title, 3号 body, 4号 page numbers (GB/T 9704).
TITLE_SIZE = 22.0
BODY_SIZE = 16.0
PAGE_NUMBER_SIZE = 14.0
# Tables: 小四 (12 pt). A list 公示 on the board carries many columns and rows; 小四 is what village lists
# and Word tables in official documents commonly use, still readable at arm's length on the board, and it
# lets a 6-column list of names, ID numbers and amounts fit A4 portrait.
TABLE_SIZE = 12.0
TABLE_LEADING = TABLE_SIZE * 1.3
TABLE_PAD_X = 3.5
TABLE_PAD_Y = 3.5
TABLE_RULE = 0.6
# Choosing the paper, a text column is content to wrap beyond this many characters, a header beyond
# this many; numbers, dates, ID and phone numbers are never wrapped.
TEXT_COMFORT = 6
HEADER_COMFORT = 4
FOOTER_SIZE = 12.0
MARK_SIZE = 12.0

# The grid of GB/T 9704 on A4: a 156 × 225 mm text block holding 28 characters × 22 lines.
CHAR_PITCH = 156 * MM / 28
LINE_PITCH = 225 * MM / 22
# A CJK glyph's em box runs from 0.12 em below the baseline to 0.88 em above it; centring the box on a
# grid line puts the baseline 0.38 em below the line's middle.
EM_CENTRE = 0.38

BLACK = (0.0, 0.0, 0.0)
RED = (0.9, 0.0, 0.0)
WATERMARK_GREY = (0.9, 0.9, 0.9)

Color = tuple[float, float, float]

MASKED_WARNING = (
    "已按隐私规则遮盖身份证号、电话号码、银行账号等个人信息；完整信息只在“内部资料”打印件上显示。"
)
INTERNAL_MARK = "内部资料 不得张贴"
BLANK_DATE = "　　　年　　月　　日"  # a draft: the date is written by hand on the printout
UNISSUED = "（未发布）"

# reportlab's TrueType fonts keep state per document; one build at a time keeps that simple.
_RENDER_LOCK = threading.RLock()


# --- paper -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    choice: PaperChoice
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom


_SQRT2 = math.sqrt(2)
# Landscape pages keep the margins proportionate: A4 landscape is the portrait page turned a quarter, its
# 225 × 156 mm text block lying on its side with the same white border (37/35 mm at the short sides,
# 28/26 mm at the long ones); A3 is A4 enlarged by √2, and so are its margins.
PAPERS: dict[PaperChoice, Paper] = {
    PaperChoice.A4_PORTRAIT: Paper(
        PaperChoice.A4_PORTRAIT, 210 * MM, 297 * MM, 28 * MM, 26 * MM, 37 * MM, 35 * MM
    ),
    PaperChoice.A4_LANDSCAPE: Paper(
        PaperChoice.A4_LANDSCAPE, 297 * MM, 210 * MM, 37 * MM, 35 * MM, 28 * MM, 26 * MM
    ),
    PaperChoice.A3_LANDSCAPE: Paper(
        PaperChoice.A3_LANDSCAPE,
        420 * MM,
        297 * MM,
        37 * MM * _SQRT2,
        35 * MM * _SQRT2,
        28 * MM * _SQRT2,
        26 * MM * _SQRT2,
    ),
}
_AUTO_ORDER = (PaperChoice.A4_PORTRAIT, PaperChoice.A4_LANDSCAPE, PaperChoice.A3_LANDSCAPE)


# --- text cleaning and line breaking -----------------------------------------------------------------

_WHITESPACE = re.compile(r"[\t\r\n\v\f]+")
# Control and format characters (zero-width spaces, direction marks, BOM, variation selectors) draw
# nothing and no font "has" them: drop them instead of warning about them.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)


def clean_text(text: str) -> str:
    """One line of drawable text: tabs and line breaks become spaces, invisible characters go."""
    if not text.isprintable():
        text = _WHITESPACE.sub(" ", text)
    return _INVISIBLE.sub("", text)


# 行首禁则: characters that may not begin a line. 行尾禁则: characters that may not end one.
NO_LINE_START = frozenset(
    "，。、；：？！”’）》」』】〕〗〉｝］…—·～％‰℃．！？,.;:?!)]}%>"
    "ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻"
)
NO_LINE_END = frozenset("“‘（《「『【〔〖〈｛［([{<￥$£¥")
# Letters, digits and what holds a number or a code together: never split (1,234.50 / 0475-1234567).
_WORD_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    ".,:%*-_/@#&+'~×"
)
_SPACES = frozenset(" \u3000\u00a0")
_WORD_RUN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.,:%*\-_/@#&+'~×]+")


def can_break(before: str, after: str) -> bool:
    """May a line end between ``before`` and ``after``?"""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return not (before in _WORD_CHARS and after in _WORD_CHARS)


def break_lines(
    chars: Sequence[str],
    widths: Sequence[float],
    spacing: float,
    first_width: float,
    rest_width: float,
) -> list[tuple[int, int]]:
    """Greedy line breaking with the Chinese rules: ``(start, end)`` index ranges, one per line.

    A character that may not start a line takes the previous character down with it (推出); a run that
    cannot be broken and is wider than the line is cut where it must be. Spaces at the start of a
    continued line are dropped.
    """
    count = len(chars)
    lines: list[tuple[int, int]] = []
    start = 0
    while start < count:
        available = first_width if not lines else rest_width
        x = 0.0
        i = start
        last_break = -1
        while i < count:
            if i > start and can_break(chars[i - 1], chars[i]):
                last_break = i
            advance = widths[i] + spacing
            if i > start and x + advance > available + 0.01:
                break
            x += advance
            i += 1
        if i >= count:
            lines.append((start, count))
            break
        end = last_break if last_break > start else i
        lines.append((start, end))
        start = end
        while start < count and chars[start] in _SPACES:
            start += 1
    return lines


def _trim_end(chars: Sequence[str], start: int, end: int) -> int:
    while end > start and chars[end - 1] in _SPACES:
        end -= 1
    return end


# --- the page model ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextOp:
    x: float
    y: float
    font: str
    size: float
    spacing: float
    text: str
    color: Color = BLACK


@dataclass(frozen=True, slots=True)
class RuleOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: Color = BLACK


Op = TextOp | RuleOp


@dataclass
class Item:
    """What one line of text (``top`` set) or one table segment (``top`` None) put on a page."""

    kind: str  # head, text, table, closing
    ops: list[Op]
    top: float | None = None  # a line of text: the top of its grid line


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)


@dataclass
class Measured:
    """A piece of text character by character: the font that draws each and its advance at ``size``."""

    chars: list[str]
    fonts: list[LoadedFont]
    widths: list[float]
    size: float

    def width(self, start: int, end: int, spacing: float) -> float:
        return sum(self.widths[start:end]) + (end - start) * spacing

    def ops(self, start: int, end: int, x: float, y: float, spacing: float, color: Color = BLACK) -> list[Op]:
        """One text operation per run of one font, starting at ``x``."""
        result: list[Op] = []
        i = start
        while i < end:
            font = self.fonts[i]
            j = i + 1
            while j < end and self.fonts[j] is font:
                j += 1
            result.append(TextOp(x, y, font.name, self.size, spacing, "".join(self.chars[i:j]), color))
            x += self.width(i, j, spacing)
            i = j
        return result


def measure(fonts: TextFonts, spans: Sequence[tuple[str, FontRole]], size: float) -> Measured:
    chars: list[str] = []
    used: list[LoadedFont] = []
    widths: list[float] = []
    for text, role in spans:
        for font, run in fonts.runs(text, role):
            for char in run:
                chars.append(char)
                used.append(font)
                widths.append(font.advance(char) * size)
    return Measured(chars, used, widths, size)


# --- tables ------------------------------------------------------------------------------------------


@dataclass
class CellLine:
    runs: list[tuple[LoadedFont, str]]
    width: float


@dataclass
class Row:
    cells: list[list[CellLine]]
    height: float
    aligns: list[str]  # per cell: left, centre, right


_CENTRED_KINDS = frozenset({ColumnKind.DATE, ColumnKind.ID_NUMBER, ColumnKind.PHONE, ColumnKind.BANK_ACCOUNT})


@dataclass
class TableModel:
    """A table's cells as printed (formatted numbers), its measured widths and its alignment."""

    table: NoticeTable
    kinds: list[ColumnKind]
    header: list[str]
    rows: list[list[str]]
    totals: list[str] | None
    natural: list[float]
    need: list[float]
    desired: list[float]
    dropped_cells: int = 0

    @property
    def desired_width(self) -> float:
        return sum(self.desired)

    @property
    def need_width(self) -> float:
        return sum(self.need)


def table_model(table: NoticeTable, fonts: TextFonts) -> TableModel:
    kinds = [column.kind for column in table.columns]
    count = len(kinds)
    header = [clean_text(column.title) for column in table.columns]
    rows: list[list[str]] = []
    dropped = 0
    for raw in table.rows:
        cells = [format_cell(clean_text(cell).strip(), kind) for cell, kind in zip(raw, kinds, strict=False)]
        dropped += sum(1 for cell in raw[count:] if cell.strip())
        rows.append(cells + [""] * (count - len(cells)))
    totals: list[str] | None = None
    if table.totals and count:
        totals = [format_cell(cell, kind) for cell, kind in zip(totals_row(table), kinds, strict=True)]
    pad = 2 * TABLE_PAD_X
    natural: list[float] = []
    need: list[float] = []
    desired: list[float] = []
    for index, kind in enumerate(kinds):
        head_width = fonts.width(header[index], FontRole.HEI, TABLE_SIZE)
        cell_width = max((fonts.width(row[index], FontRole.BODY, TABLE_SIZE) for row in rows), default=0.0)
        if totals is not None:
            role = FontRole.BODY if kind in NUMERIC_KINDS else FontRole.HEI
            cell_width = max(cell_width, fonts.width(totals[index], role, TABLE_SIZE))
        head_need = max([2 * TABLE_SIZE, *(_word_width(fonts, header[index], FontRole.HEI))])
        # A header may wrap onto a second line (月保障金额 / （元）) rather than widen its column.
        head_least = min(head_width, head_need)
        parts = _header_parts(header[index])
        if len(parts) > 1:  # 月保障金额（元）: the unit goes on a line of its own
            head_wish = max(fonts.width(part, FontRole.HEI, TABLE_SIZE) for part in parts)
        else:
            head_wish = min(head_width, max(head_need, HEADER_COMFORT * TABLE_SIZE))
        whole = max(head_width, cell_width) + pad
        if kind in NUMERIC_KINDS or kind in _CENTRED_KINDS:
            # Numbers, dates, ID and phone numbers are read whole: never wrapped.
            least = max(cell_width, head_least) + pad
            wish = max(cell_width, head_wish) + pad
        else:
            longest_word = max(
                (w for row in rows for w in _word_width(fonts, row[index], FontRole.BODY)), default=0.0
            )
            least = max(min(cell_width, 2 * TABLE_SIZE), longest_word, head_least) + pad
            wish = max(least, min(max(cell_width, head_wish) + pad, TEXT_COMFORT * TABLE_SIZE + pad))
        natural.append(whole)
        need.append(min(least, whole))
        desired.append(wish)
    return TableModel(table, kinds, header, rows, totals, natural, need, desired, dropped)


def _header_parts(text: str) -> list[str]:
    """A header split before its bracketed unit: 月保障金额（元） → 月保障金额, （元）."""
    return [part for part in re.split(r"(?=[（(])", text) if part]


def _word_width(fonts: TextFonts, text: str, role: FontRole) -> list[float]:
    """The width of the longest unbreakable Latin/number run in ``text`` (a list: empty when none)."""
    words = _WORD_RUN.findall(text)
    if not words:
        return []
    return [fonts.width(max(words, key=len), role, TABLE_SIZE)]


def fit_widths(
    natural: Sequence[float], desired: Sequence[float], need: Sequence[float], total: float
) -> list[float]:
    """Column widths filling ``total`` exactly.

    Natural widths (nothing wraps) stretched when there is room; else every column gets its desired
    width (long text and headers wrap) and the room left goes to the columns still short of natural;
    else every column gets its need (the longest unbreakable word) and the rest is shared towards the
    desired widths; if even that is too wide, the needs are scaled down (words are then cut).
    """
    if not natural:
        return []
    natural_sum = sum(natural)
    if natural_sum <= total:
        return [w + (total - natural_sum) * w / natural_sum for w in natural]
    if sum(desired) <= total:
        widths = _fill(desired, natural, total)
    elif sum(need) <= total:
        widths = _fill(need, desired, total)
    else:
        need_sum = sum(need)
        return [w * total / need_sum for w in need]
    # Give the rounding remainder to the widest column so the table is exactly the text width.
    widest = max(range(len(widths)), key=lambda i: widths[i])
    widths[widest] += total - sum(widths)
    return widths


def _fill(lower: Sequence[float], upper: Sequence[float], total: float) -> list[float]:
    """Water-filling: each column gets ``max(lower, min(upper, level))`` with the level that fills ``total``
    (narrow columns keep their full width, wide ones share what is left equally)."""
    pairs = [(low, max(low, high)) for low, high in zip(lower, upper, strict=True)]
    bottom, top = 0.0, max(high for _, high in pairs)
    for _ in range(60):
        level = (bottom + top) / 2
        if sum(max(low, min(high, level)) for low, high in pairs) > total:
            top = level
        else:
            bottom = level
    return [max(low, min(high, bottom)) for low, high in pairs]


def choose_paper(choice: PaperChoice, models: Sequence[TableModel]) -> tuple[Paper, list[str]]:
    """The paper to use and what to tell the clerk about it."""
    warnings: list[str] = []
    widest = max((m.desired_width for m in models), default=0.0)
    if choice is PaperChoice.AUTO:
        paper = PAPERS[PaperChoice.A3_LANDSCAPE]
        for candidate in _AUTO_ORDER:
            if widest <= PAPERS[candidate].text_width + 0.01:
                paper = PAPERS[candidate]
                break
        if paper.choice is PaperChoice.A4_LANDSCAPE:
            warnings.append("表格较宽，已自动改用A4横向纸张。")
        elif paper.choice is PaperChoice.A3_LANDSCAPE:
            warnings.append("表格很宽，已自动改用A3横向纸张，请确认打印机能打A3纸。")
    else:
        paper = PAPERS[choice]
    if any(m.need_width > paper.text_width + 0.01 for m in models):
        warnings.append(
            f"表格的列太多，{paper.choice.value}纸上排不下，部分号码或数字被折成了两行；"
            "请减少列数，或改用更大的纸张。"
        )
    return paper, warnings


# --- the layout engine -------------------------------------------------------------------------------


class Layout:
    """Places lines and tables on pages of one paper size; nothing is drawn yet."""

    def __init__(self, paper: Paper, fonts: TextFonts) -> None:
        self.paper = paper
        self.fonts = fonts
        self.width = paper.text_width
        self.height = paper.text_height
        self.columns = max(1, int(self.width / CHAR_PITCH + 1e-6))
        self.pitch = self.width / self.columns
        self.lines = max(1, int(self.height / LINE_PITCH + 1e-6))
        self.line_pitch = self.height / self.lines
        self.body_spacing = self.pitch - BODY_SIZE
        self.left = paper.left
        self.top = paper.height - paper.top  # PDF y of the text block's top edge
        self.pages: list[Page] = [Page()]
        self.y = 0.0  # how far down the text block the next free space starts
        # Where this page's grid starts: 0, or just under a table (lines then follow it evenly spaced
        # rather than jumping to the next line of the page's grid).
        self.origin = 0.0

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = 0.0
        self.origin = 0.0

    def slot(self) -> float:
        """The top of the next free grid line (from the text block's top)."""
        lines = math.ceil((self.y - self.origin) / self.line_pitch - 1e-6)
        return self.origin + max(0, lines) * self.line_pitch

    def lines_left(self) -> int:
        return max(0, int((self.height - self.slot()) / self.line_pitch + 1e-6))

    def next_line(self) -> float:
        """The top of the grid line for the next line of text (a new page when this one is full)."""
        top = self.slot()
        if top + self.line_pitch > self.height + 0.01:
            self.new_page()
            top = 0.0
        self.y = top + self.line_pitch
        return top

    def skip_lines(self, count: int) -> None:
        """Leave ``count`` grid lines empty (they do not carry over to a new page)."""
        self.y = min(self.height, self.slot() + count * self.line_pitch)

    def baseline(self, top: float, size: float, lines_tall: int = 1) -> float:
        """The PDF baseline of text of ``size`` centred in the line(s) starting at ``top``."""
        return self.top - top - lines_tall * self.line_pitch / 2 - EM_CENTRE * size

    # -- text --

    def paragraph(
        self,
        spans: Sequence[tuple[str, FontRole]],
        *,
        size: float = BODY_SIZE,
        first_indent: float | None = None,
        rest_indent: float = 0.0,
        align: str = "justify",
        spacing: float | None = None,
        color: Color = BLACK,
        kind: str = "text",
        right_indent: float = 0.0,
    ) -> None:
        """A paragraph on the grid: indented 2 characters unless told otherwise, justified."""
        text = measure(self.fonts, [(clean_text(t), r) for t, r in spans], size)
        if not text.chars:
            return
        if first_indent is None:
            first_indent = 2 * self.pitch
        if spacing is None:
            spacing = self.body_spacing if size == BODY_SIZE else 0.0
        right = self.width - right_indent
        lines = break_lines(text.chars, text.widths, spacing, right - first_indent, right - rest_indent)
        if align == "centre":
            lines = _balanced(text, spacing, lines, right - first_indent)
        for number, (start, stop) in enumerate(lines):
            end = _trim_end(text.chars, start, stop)
            indent = first_indent if number == 0 else rest_indent
            available = right - indent
            natural = text.width(start, end, spacing)
            line_spacing = spacing
            if align == "justify" and number < len(lines) - 1 and end - start > 1:
                slack = available - natural
                if 0 < slack <= 2 * size:
                    line_spacing = spacing + slack / (end - start)
                    natural = available
            visible = natural - line_spacing
            if align == "centre":
                x = self.left + indent + (available - visible) / 2
            elif align == "right":
                x = self.left + right - visible
            else:
                x = self.left + indent
            top = self.next_line()
            y = self.baseline(top, size)
            self.page.items.append(Item(kind, text.ops(start, end, x, y, line_spacing, color), top))

    def place_line(self, top: float, ops: list[Op], kind: str) -> None:
        self.page.items.append(Item(kind, ops, top))

    def text_ops(
        self, text: str, role: FontRole, size: float, x: float, y: float, spacing: float, color: Color = BLACK
    ) -> tuple[list[Op], float]:
        """Ops drawing ``text`` in one line from ``x``, and its visible width."""
        measured = measure(self.fonts, [(clean_text(text), role)], size)
        count = len(measured.chars)
        return measured.ops(0, count, x, y, spacing, color), measured.width(0, count, spacing) - spacing

    def move_last_lines(self, count: int) -> None:
        """Carry the last ``count`` text lines of this page over to a new page (keeps the 落款 company)."""
        page = self.page
        moving: list[Item] = []
        while page.items and len(moving) < count and page.items[-1].kind == "text":
            moving.insert(0, page.items.pop())
        if not page.items:  # they were all this page had: moving them would only repeat the problem
            page.items.extend(moving)
            self.new_page()
            return
        self.new_page()
        for number, item in enumerate(moving):
            assert item.top is not None
            top = number * self.line_pitch
            shift = item.top - top
            ops: list[Op] = [replace(op, y=op.y + shift) if isinstance(op, TextOp) else op for op in item.ops]
            self.page.items.append(Item(item.kind, ops, top))
        self.y = len(moving) * self.line_pitch

    # -- tables --

    def table(self, model: TableModel) -> None:
        widths = fit_widths(model.natural, model.desired, model.need, self.width)
        header = self._row(model.header, model, widths, header=True)
        body = [self._row(cells, model, widths) for cells in model.rows]
        if model.totals is not None:
            body.append(self._row(model.totals, model, widths, totals=True))
        first = body[0].height if body else 0.0
        title = clean_text(model.table.title).strip()
        if title:
            if self.slot() + self.line_pitch + header.height + first > self.height:
                self.new_page()
            self.paragraph([(title, FontRole.HEI)], first_indent=0.0, align="centre", kind="table")
        elif self.y + header.height + first > self.height and self.y > 0:
            self.new_page()
        self.y += 0.15 * self.line_pitch if self.y > 0 else 0.0
        segment = self._segment_start(header, widths)
        fresh_room = self.height - header.height
        for row in body:
            pending: Row | None = row
            while pending is not None:
                room = self.height - self.y
                if pending.height <= room + 0.01:
                    self._place_row(pending, widths, segment)
                    pending = None
                    continue
                fresh_page = len(segment) <= 2  # only the header so far
                if not fresh_page and pending.height <= fresh_room + 0.01:
                    segment = self._continue_on_new_page(segment, header, widths)
                    continue
                # Taller than what is left of a fresh page: print the lines that fit, carry the rest over.
                part, rest = _split_row(pending, room)
                if part is None:
                    if not fresh_page:
                        segment = self._continue_on_new_page(segment, header, widths)
                        continue
                    part, rest = pending, None  # not even one line fits under the header: print it whole
                self._place_row(part, widths, segment)
                pending = rest
                if pending is not None:
                    segment = self._continue_on_new_page(segment, header, widths)
        self._segment_end(segment, widths)
        self.y += 0.25 * self.line_pitch
        self.origin = self.y

    def _continue_on_new_page(
        self, segment: list[float], header: Row, widths: Sequence[float]
    ) -> list[float]:
        self._segment_end(segment, widths)
        self.new_page()
        return self._segment_start(header, widths)

    def _segment_start(self, header: Row, widths: Sequence[float]) -> list[float]:
        """Begin the table on this page with its header row; returns the row edges so far."""
        segment = [self.y]
        self._place_row(header, widths, segment)
        return segment

    def _segment_end(self, segment: list[float], widths: Sequence[float]) -> None:
        if len(segment) < 2:
            return
        top, bottom = self.top - segment[0], self.top - segment[-1]
        right = self.left + sum(widths)
        ops: list[Op] = [RuleOp(self.left, self.top - y, right, self.top - y, TABLE_RULE) for y in segment]
        x = self.left
        ops.append(RuleOp(x, top, x, bottom, TABLE_RULE))
        for width in widths:
            x += width
            ops.append(RuleOp(x, top, x, bottom, TABLE_RULE))
        self.page.items.append(Item("table", ops))
        segment.clear()

    def _row(
        self,
        cells: Sequence[str],
        model: TableModel,
        widths: Sequence[float],
        *,
        header: bool = False,
        totals: bool = False,
    ) -> Row:
        laid: list[list[CellLine]] = []
        for index, text in enumerate(cells):
            role = (
                FontRole.HEI
                if header or (totals and model.kinds[index] not in NUMERIC_KINDS)
                else FontRole.BODY
            )
            laid.append(self._cell_lines(text, role, widths[index] - 2 * TABLE_PAD_X))
        tallest = max((len(lines) for lines in laid), default=1)
        height = max(1, tallest) * TABLE_LEADING + 2 * TABLE_PAD_Y
        return Row(laid, height, [_align(model, i, header, totals) for i in range(len(cells))])

    def _cell_lines(self, text: str, role: FontRole, available: float) -> list[CellLine]:
        if not text:
            return []
        runs = self.fonts.runs(text, role)
        width = sum(font.width(part, TABLE_SIZE) for font, part in runs)
        if width <= available + 0.01:
            return [CellLine(runs, width)]
        measured = measure(self.fonts, [(text, role)], TABLE_SIZE)
        lines: list[CellLine] = []
        for start, stop in break_lines(measured.chars, measured.widths, 0.0, available, available):
            end = _trim_end(measured.chars, start, stop)
            parts: list[tuple[LoadedFont, str]] = []
            i = start
            while i < end:
                font = measured.fonts[i]
                j = i + 1
                while j < end and measured.fonts[j] is font:
                    j += 1
                parts.append((font, "".join(measured.chars[i:j])))
                i = j
            lines.append(CellLine(parts, measured.width(start, end, 0.0)))
        return lines

    def _place_row(self, row: Row, widths: Sequence[float], segment: list[float]) -> None:
        ops: list[Op] = []
        aligns = row.aligns
        x = self.left
        for index, lines in enumerate(row.cells):
            width = widths[index]
            block = len(lines) * TABLE_LEADING
            first = self.y + (row.height - block) / 2 + TABLE_LEADING / 2
            align = aligns[index] if index < len(aligns) else "left"
            for number, line in enumerate(lines):
                y = self.top - (first + number * TABLE_LEADING) - EM_CENTRE * TABLE_SIZE
                if align == "right":
                    start = x + width - TABLE_PAD_X - line.width
                elif align == "centre":
                    start = x + (width - line.width) / 2
                else:
                    start = x + TABLE_PAD_X
                for font, part in line.runs:
                    ops.append(TextOp(start, y, font.name, TABLE_SIZE, 0.0, part))
                    start += font.width(part, TABLE_SIZE)
            x += width
        self.page.items.append(Item("table", ops))
        self.y += row.height
        segment.append(self.y)


def _align(model: TableModel, index: int, header: bool, totals: bool) -> str:
    kind = model.kinds[index]
    if header:
        return "centre"
    if kind in NUMERIC_KINDS:
        return "right"
    if totals or kind in _CENTRED_KINDS:
        return "centre"
    # Short text columns (names, 组别) look best centred; longer text reads better from the left.
    return "centre" if model.natural[index] <= 8 * TABLE_SIZE + 2 * TABLE_PAD_X else "left"


def _split_row(row: Row, room: float) -> tuple[Row | None, Row | None]:
    """The lines of ``row`` that fit in ``room`` and the rest (None when no line fits)."""
    fit = int((room - 2 * TABLE_PAD_Y) / TABLE_LEADING + 1e-6)
    if fit < 1:
        return None, row
    head = [lines[:fit] for lines in row.cells]
    tail = [lines[fit:] for lines in row.cells]
    tallest_tail = max((len(lines) for lines in tail), default=0)
    first = Row(head, fit * TABLE_LEADING + 2 * TABLE_PAD_Y, row.aligns)
    if tallest_tail == 0:
        return first, None
    return first, Row(tail, tallest_tail * TABLE_LEADING + 2 * TABLE_PAD_Y, row.aligns)


def _balanced(
    text: Measured, spacing: float, lines: list[tuple[int, int]], width: float
) -> list[tuple[int, int]]:
    """Break a centred title into as few lines as greedy breaking needs, but of even length
    (GB/T 9704: 排列对称，长短适宜), by finding the narrowest width that needs no more lines."""
    if len(lines) < 2:
        return lines
    low, high = max(text.widths) + spacing, width
    best = lines
    for _ in range(24):
        middle = (low + high) / 2
        trial = break_lines(text.chars, text.widths, spacing, middle, middle)
        if len(trial) <= len(lines):
            best, high = trial, middle
        else:
            low = middle
    return best


# --- composing a notice ------------------------------------------------------------------------------


def _heading_spans(text: str, level: int) -> list[tuple[str, FontRole]]:
    """一、 in 黑体, （一） in 楷体, 1. and （1） in the body font. When a heading runs on into body text
    (（一）加强领导。各组要……), only the part up to the first 。 is in the heading's typeface."""
    role = {1: FontRole.HEI, 2: FontRole.KAI}.get(level)
    if role is None:
        return [(text, FontRole.BODY)]
    cut = text.find("。")
    if 0 <= cut < len(text) - 1:
        return [(text[: cut + 1], role), (text[cut + 1 :], FontRole.BODY)]
    return [(text, role)]


def _compose(
    layout: Layout,
    notice: Notice,
    village: VillageProfile,
    settings: NoticeSettings,
    models: Sequence[TableModel],
) -> None:
    draft = notice.status in (NoticeStatus.DRAFT, NoticeStatus.CANCELLED)
    number = UNISSUED if draft else clean_text(notice.number).strip()
    _head(layout, notice, village, number)
    tables = iter(models)
    first_paragraph = True
    for block in notice.body:
        if isinstance(block, NoticeTable):
            model = next(tables)
            if model.kinds:  # a table without columns has nothing to print (issuing refuses it)
                layout.table(model)
            first_paragraph = False
            continue
        text = clean_text(block.text).strip()
        if not text:
            continue
        indent = 0.0 if first_paragraph and block.level == 0 and _is_addressee(text) else None
        layout.paragraph(_heading_spans(text, block.level), first_indent=indent)
        first_paragraph = False
    period = period_text(notice, settings.calendar())
    if period:
        layout.paragraph([(period, FontRole.BODY)])
    for line in notice.objection.splitlines():
        if line.strip():
            layout.paragraph([(line.strip(), FontRole.BODY)])
    phones = []
    if notice.show_phones and village.supervision_phone.strip():
        phones.append(f"监督电话：{village.supervision_phone.strip()}")
    if notice.show_phones and village.complaint_phone.strip():
        phones.append(f"投诉电话：{village.complaint_phone.strip()}")
    if phones:
        layout.paragraph([("　　".join(phones), FontRole.BODY)])
    _attachments(layout, notice.attachments)
    _closing(layout, notice)


def _is_addressee(text: str) -> bool:
    """主送机关 (全体党员： / 各村民小组、全体村民：): a short line ending in a colon, not a sentence
    such as 现将有关事项公示如下：. It starts at the margin (GB/T 9704 7.3.2)."""
    return (
        text[-1] in "：:"
        and len(text) <= 20
        and not any(mark in text for mark in "，,。；;")
        and "如下" not in text
    )


def _head(layout: Layout, notice: Notice, village: VillageProfile, number: str) -> None:
    """The 版头 and number (or the number alone), and the title; then one empty line."""
    pitch = layout.line_pitch
    if notice.letterhead:
        issuer = clean_text(notice.issuer).strip() or (
            f"{village.full_name}村民委员会" if village.name else "村民委员会"
        )
        size = min(48.0, 0.92 * layout.width / max(1, len(issuer)))
        y = layout.baseline(0.0, size, lines_tall=2)
        ops, width = layout.text_ops(issuer, FontRole.TITLE, size, 0, y, 0.0, RED)
        shift = layout.left + (layout.width - width) / 2
        layout.place_line(
            0.0, [replace(op, x=op.x + shift) if isinstance(op, TextOp) else op for op in ops], "head"
        )
        layout.y = 4 * pitch  # 发文机关标志下空二行: the number
        number_line = 4
        if number:
            layout.paragraph([(number, FontRole.BODY)], first_indent=0.0, align="centre", kind="head")
        # The red line: full text width, 4 mm below the number.
        rule_y = number_line * pitch + pitch / 2 + EM_CENTRE * BODY_SIZE + 0.12 * BODY_SIZE + 4 * MM
        pdf_y = layout.top - rule_y
        layout.page.items.append(
            Item("head", [RuleOp(layout.left, pdf_y, layout.left + layout.width, pdf_y, 1.5, RED)])
        )
        layout.y = rule_y + 2 * pitch  # 红色分隔线下空二行: the title
    elif number:
        layout.paragraph([(number, FontRole.BODY)], first_indent=0.0, align="right", kind="head")
    title = clean_text(notice.title).strip()
    if title:
        layout.paragraph(
            [(title, FontRole.TITLE)], size=TITLE_SIZE, first_indent=0.0, align="centre", kind="head"
        )
        layout.skip_lines(1)


def _attachments(layout: Layout, attachments: Sequence[str]) -> None:
    """附件：1. …… under the text, one empty line above; a long name wraps under itself (GB/T 9704 7.3.4)."""
    names = [clean_text(a).strip() for a in attachments if a.strip()]
    if not names:
        return
    layout.skip_lines(1)
    fonts = layout.fonts
    label = "附件："
    label_width = fonts.width(label, FontRole.BODY, BODY_SIZE) + len(label) * layout.body_spacing
    for number, name in enumerate(names, start=1):
        prefix = f"{number}. " if len(names) > 1 else ""
        prefix_width = fonts.width(prefix, FontRole.BODY, BODY_SIZE) + len(prefix) * layout.body_spacing
        first = 2 * layout.pitch + (0.0 if number == 1 else label_width)
        text = (label if number == 1 else "") + prefix + name
        layout.paragraph(
            [(text, FontRole.BODY)],
            first_indent=first,
            rest_indent=2 * layout.pitch + label_width + prefix_width,
        )


def _closing(layout: Layout, notice: Notice) -> None:
    """落款: issuer and date. With a seal (stamped by hand over both) the date sits 4 characters in
    from the right and the issuer is centred over it, two empty lines above for the seal; without one,
    both end 2 characters in from the right, one empty line above (GB/T 9704 7.3.5)."""
    issuer = clean_text(notice.issuer).strip()
    date = chinese_date(notice.issue_date) if notice.issue_date is not None else BLANK_DATE
    sealed = notice.seal is SealPosition.ON_DATE
    blank = 2 if sealed else 1
    needed = (2 if issuer else 1) + blank
    if layout.lines_left() < needed:
        if layout.lines_left() >= needed - 1 and sealed:
            blank = 1  # the seal may reach a little into the text above rather than stand alone
        else:
            layout.move_last_lines(2)
    layout.skip_lines(blank)
    spacing = layout.body_spacing
    right_in = (4 if sealed else 2) * layout.pitch
    date_ops, date_width = layout.text_ops(date, FontRole.BODY, BODY_SIZE, 0, 0, spacing)
    date_x = layout.left + layout.width - right_in - date_width
    if issuer:
        issuer_line = layout.next_line()
        issuer_ops, issuer_width = layout.text_ops(issuer, FontRole.BODY, BODY_SIZE, 0, 0, spacing)
        if sealed:
            x = date_x + date_width / 2 - issuer_width / 2
        else:
            x = layout.left + layout.width - right_in - issuer_width
        x = max(layout.left, min(x, layout.left + layout.width - issuer_width))
        y = layout.baseline(issuer_line, BODY_SIZE)
        layout.place_line(issuer_line, _placed(issuer_ops, x, y), "closing")
    date_line = layout.next_line()
    layout.place_line(date_line, _placed(date_ops, date_x, layout.baseline(date_line, BODY_SIZE)), "closing")


def _placed(ops: list[Op], x: float, y: float) -> list[Op]:
    return [replace(op, x=op.x + x, y=y) if isinstance(op, TextOp) else op for op in ops]


# --- drawing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Furniture:
    """What goes on every page besides the content."""

    watermark: str  # 草稿 / 作废 / ""
    internal: bool
    page_totals: bool  # 第 x 页 共 y 页
    title: str


def _draw(layout: Layout, furniture: Furniture) -> bytes:
    paper = layout.paper
    buffer = io.BytesIO()
    # The initial font is one of ours: reportlab's default (Helvetica) would be listed, unembedded.
    pdf = canvas.Canvas(
        buffer,
        pagesize=(paper.width, paper.height),
        invariant=1,
        pageCompression=1,
        initialFontName=layout.fonts.font(FontRole.BODY).name,
        initialFontSize=BODY_SIZE,
    )
    pdf.setTitle(furniture.title)
    pdf.setCreator("村务通")
    total = len(layout.pages)
    for number, page in enumerate(layout.pages, start=1):
        if furniture.watermark:
            _watermark(pdf, layout, furniture.watermark)
        ops: list[Op] = [op for item in page.items for op in item.ops]
        ops.extend(_page_number_ops(layout, number, total, furniture.page_totals))
        if furniture.internal:
            ops.extend(_internal_mark_ops(layout))
        _draw_ops(pdf, ops)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_ops(pdf: canvas.Canvas, ops: Sequence[Op]) -> None:
    rules = [op for op in ops if isinstance(op, RuleOp)]
    for rule in rules:
        pdf.setStrokeColorRGB(*rule.color)
        pdf.setLineWidth(rule.width)
        pdf.line(rule.x1, rule.y1, rule.x2, rule.y2)
    text = pdf.beginText()
    font: tuple[str, float] | None = None
    spacing: float | None = None
    color: Color | None = None
    for op in ops:
        if not isinstance(op, TextOp):
            continue
        if (op.font, op.size) != font:
            font = (op.font, op.size)
            text.setFont(op.font, op.size)
        if op.spacing != spacing:
            spacing = op.spacing
            text.setCharSpace(op.spacing)
        if op.color != color:
            color = op.color
            text.setFillColorRGB(*op.color)
        text.setTextOrigin(op.x, op.y)
        text.textOut(op.text)
    pdf.drawText(text)


def _watermark(pdf: canvas.Canvas, layout: Layout, word: str) -> None:
    """A light grey diagonal word under the content of the page."""
    size = 150.0
    ops, width = layout.text_ops(word, FontRole.TITLE, size, 0, 0, 0.0, WATERMARK_GREY)
    paper = layout.paper
    pdf.saveState()
    pdf.translate(paper.width / 2, paper.height / 2)
    pdf.rotate(35)
    _draw_ops(pdf, _placed(ops, -width / 2, -EM_CENTRE * size))
    pdf.restoreState()


def _page_number_ops(layout: Layout, number: int, total: int, page_totals: bool) -> list[Op]:
    """— 1 —, 7 mm below the text block: odd pages right, even pages left, one character in."""
    paper = layout.paper
    y = paper.bottom - 7 * MM - EM_CENTRE * PAGE_NUMBER_SIZE
    ops, width = layout.text_ops(f"— {number} —", FontRole.BODY, PAGE_NUMBER_SIZE, 0, 0, 0.0)
    if number % 2:
        x = layout.left + layout.width - PAGE_NUMBER_SIZE - width
    else:
        x = layout.left + PAGE_NUMBER_SIZE
    result = _placed(ops, x, y)
    if page_totals:
        label = f"第 {number} 页 共 {total} 页"
        more, label_width = layout.text_ops(label, FontRole.BODY, FOOTER_SIZE, 0, 0, 0.0)
        result.extend(_placed(more, layout.left + (layout.width - label_width) / 2, y))
    return result


def _internal_mark_ops(layout: Layout) -> list[Op]:
    """内部资料 不得张贴, boxed in red at the top right above the text block."""
    paper = layout.paper
    ops, width = layout.text_ops(INTERNAL_MARK, FontRole.HEI, MARK_SIZE, 0, 0, 0.0, RED)
    pad = 4.0
    right = layout.left + layout.width
    baseline = paper.height - paper.top / 2 - EM_CENTRE * MARK_SIZE
    x = right - pad - width
    box_bottom = baseline - 0.12 * MARK_SIZE - pad
    box_top = baseline + 0.88 * MARK_SIZE + pad
    left = x - pad
    box: list[Op] = [
        RuleOp(left, box_bottom, right, box_bottom, 1.0, RED),
        RuleOp(left, box_top, right, box_top, 1.0, RED),
        RuleOp(left, box_bottom, left, box_top, 1.0, RED),
        RuleOp(right, box_bottom, right, box_top, 1.0, RED),
    ]
    return [*box, *_placed(ops, x, baseline)]


# --- the renderer ------------------------------------------------------------------------------------


def render_notice(
    notice: Notice,
    village: VillageProfile,
    settings: NoticeSettings,
    *,
    internal: bool = False,
) -> RenderedNotice:
    """The notice as it will print (``village_desk.notices.NoticeRenderer``).

    Unless ``internal``, every personal value is masked first (``privacy.public_notice``; a sensitive
    column raises ``ValidationError``). ``internal`` prints full values under a 内部资料 mark on every
    page. Same input, same bytes.
    """
    warnings: list[str] = []
    if not internal:
        public = public_notice(notice)
        if public != notice:
            warnings.append(MASKED_WARNING)
        notice = public
    resolution = resolve_fonts(settings.fonts)
    with _RENDER_LOCK:
        fonts = TextFonts(resolution)
        models = [table_model(table, fonts) for table in notice.tables]
        paper, paper_warnings = choose_paper(notice.paper, models)
        warnings.extend(paper_warnings)
        for number, model in enumerate(models, start=1):
            if model.dropped_cells:
                warnings.append(
                    f"表{number}有{model.dropped_cells}个格子超出了列数，没有打印出来，请检查表格。"
                )
        layout = Layout(paper, fonts)
        _compose(layout, notice, village, settings, models)
        watermark = {NoticeStatus.DRAFT: "草稿", NoticeStatus.CANCELLED: "作废"}.get(notice.status, "")
        furniture = Furniture(
            watermark=watermark,
            internal=internal,
            page_totals=len(layout.pages) > 1 and bool(models),
            title=clean_text(notice.title).strip(),
        )
        pdf = _draw(layout, furniture)
        warnings.extend(fonts.warnings())
    return RenderedNotice(
        pdf=pdf,
        pages=len(layout.pages),
        paper=paper.choice.value,
        warnings=tuple(dict.fromkeys(warnings)),
    )


__all__ = ["PAPERS", "Paper", "render_notice"]
