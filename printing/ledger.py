"""The collective's books on paper: the 记账凭证 form and the books and statements (``Report``) as PDF.

``LedgerPdf`` implements ``village_desk.ledger_reports.LedgerPrinter``: records in, PDF bytes out.

Vouchers print one form per A5 landscape page (210 × 148 mm, the size of the 凭证纸 sold for 记账凭证):
each form is bound on its own with its 原始凭证 into the month's 凭证本, so a form per sheet needs no
cutting, and a printer driver can still put two on an A4 sheet. A voucher with more lines than
``Book.lines_per_form`` runs over several forms numbered as fractions (记字第5 1/2号, 5 2/2号); as on
hand-written 分数编号 vouchers the 合计 row with the totals and the 大写 is on the last form only, the
earlier forms' 合计 row says 过次页 and leaves the amounts blank (a form's own subtotal would read as
an unbalanced voucher). Unused rows of the last form are struck through with a diagonal line, as
accountants cancel blank lines by hand. A draft prints 未审核 and a void voucher 作废 in large faint
letters under the form; red (negative) amounts print in red with a minus sign.

Reports (科目余额表, 明细账, 日记账, 资产负债表…) print on A4, landscape when the report asks: the title,
the unit, the range and 单位：元 on every page, the (two-level) header repeated on every page, rows never
split over pages, 第N页 共M页 and the report's footer at the bottom. The pages are drawn directly on
the canvas (no platypus), so a year's 明细账 of thousands of rows builds in about a second.

Every string goes through ``printing.fonts.TextFonts``, so a character missing from one font is drawn
with another. Same input, same bytes (``invariant=1``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.pdfgen import canvas

from printing.fonts import TextFonts, resolve_fonts
from printing.notices import _RENDER_LOCK, break_lines, clean_text
from village_desk.ledger import (
    Account,
    VoucherLine,
    VoucherStatus,
    VoucherView,
    amount_text,
)
from village_desk.ledger_reports import CellKind, Report, ReportColumn
from village_desk.notices import FontRole

MM = 72.0 / 25.4
A4 = (210 * MM, 297 * MM)
A5_LANDSCAPE = (210 * MM, 148 * MM)

BLACK = (0.0, 0.0, 0.0)
RED = (0.85, 0.0, 0.0)
FAINT = (0.86, 0.86, 0.86)
Color = tuple[float, float, float]

# A CJK glyph's em box runs from 0.12 em below the baseline to 0.88 em above: a line of text of size s
# centred in a band of height h has its baseline h/2 - 0.38 s below the band's middle.
EM_CENTRE = 0.38

THIN = 0.5
_SMALLEST = 5.0  # the smallest text on a voucher (a long 摘要 in a small row)
THICK = 1.0


# --- drawing -----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """One page's text and rules, drawn in one go (one text object per page keeps big books fast)."""

    fonts: TextFonts
    texts: list[tuple[str, float, Color, float, float, float, str]] = field(default_factory=list)
    rules: list[tuple[float, float, float, float, float, Color]] = field(default_factory=list)

    def width(self, text: str, role: FontRole, size: float) -> float:
        return self.fonts.width(text, role, size)

    def text(
        self,
        text: str,
        x: float,
        y: float,
        role: FontRole,
        size: float,
        align: str = "left",
        color: Color = BLACK,
        spacing: float = 0.0,
    ) -> float:
        """Draw ``text`` with its baseline at ``y``; ``x`` is its left, centre or right end."""
        text = clean_text(text)
        if not text:
            return 0.0
        width = self.width(text, role, size) + spacing * (len(text) - 1)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        for font, part in self.fonts.runs(text, role):
            self.texts.append((font.name, size, color, spacing, x, y, part))
            x += font.width(part, size) + spacing * len(part)
        return width

    def rule(
        self, x1: float, y1: float, x2: float, y2: float, width: float = THIN, color: Color = BLACK
    ) -> None:
        self.rules.append((x1, y1, x2, y2, width, color))

    def box(self, left: float, bottom: float, right: float, top: float, width: float = THIN) -> None:
        self.rule(left, bottom, right, bottom, width)
        self.rule(left, top, right, top, width)
        self.rule(left, bottom, left, top, width)
        self.rule(right, bottom, right, top, width)

    def draw(self, pdf: canvas.Canvas) -> None:
        pen: tuple[float, Color] | None = None
        for x1, y1, x2, y2, width, stroke in self.rules:
            if (width, stroke) != pen:
                pen = (width, stroke)
                pdf.setStrokeColorRGB(*stroke)
                pdf.setLineWidth(width)
            pdf.line(x1, y1, x2, y2)
        if not self.texts:
            return
        text = pdf.beginText()
        state: tuple[str, float] | None = None
        color: Color | None = None
        spacing: float | None = None
        for name, size, fill, space, x, y, part in self.texts:
            if (name, size) != state:
                state = (name, size)
                text.setFont(name, size)
            if fill != color:
                color = fill
                text.setFillColorRGB(*fill)
            if space != spacing:
                spacing = space
                text.setCharSpace(space)
            text.setTextOrigin(x, y)
            text.textOut(part)
        pdf.drawText(text)


def _watermark(
    pdf: canvas.Canvas, fonts: TextFonts, word: str, page: tuple[float, float], size: float
) -> None:
    """A large faint word across the middle of the page, under everything else."""
    sheet = _Sheet(fonts)
    sheet.text(word, 0, -EM_CENTRE * size, FontRole.TITLE, size, "center", FAINT, spacing=size * 0.3)
    pdf.saveState()
    pdf.translate(page[0] / 2, page[1] / 2)
    pdf.rotate(18)
    sheet.draw(pdf)
    pdf.restoreState()


def _new_canvas(buffer: io.BytesIO, page: tuple[float, float], fonts: TextFonts, title: str) -> canvas.Canvas:
    # The initial font is one of ours: reportlab's default (Helvetica) would be listed, unembedded.
    pdf = canvas.Canvas(
        buffer,
        pagesize=page,
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.font(FontRole.BODY).name,
        initialFontSize=10,
    )
    pdf.setTitle(title)
    pdf.setCreator("村务通")
    return pdf


def _wrap(sheet: _Sheet, text: str, role: FontRole, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (Chinese line-breaking rules)."""
    text = clean_text(text)
    if not text or sheet.width(text, role, size) <= width:
        return [text]
    chars = list(text)
    widths = [sheet.width(c, role, size) for c in chars]
    return ["".join(chars[a:b]).strip() for a, b in break_lines(chars, widths, 0.0, width, width)]


def _fit_size(sheet: _Sheet, text: str, role: FontRole, size: float, width: float, smallest: float) -> float:
    """The size (down to ``smallest``) at which ``text`` fits on one line of ``width``."""
    needed = sheet.width(clean_text(text), role, size)
    if needed <= width or needed == 0:
        return size
    return max(smallest, size * width / needed)


def _money(value: Decimal, blank_zero: bool = True) -> str:
    if blank_zero and value == 0:
        return ""
    return amount_text(value)


# --- the voucher form --------------------------------------------------------------------------------

# Columns of the form, as shares of the grid's width: 摘要 | 总账科目 | 明细科目 | 借方金额 | 贷方金额.
_VOUCHER_SHARES = (0.28, 0.17, 0.23, 0.16, 0.16)
_SIGNATURES = ("会计主管", "记账", "审核", "出纳", "制单", "经手人")


def account_columns(view: VoucherView, line: VoucherLine) -> tuple[str, str]:
    """(总账科目, 明细科目) of a line: the account's full name split after level 1; the line's 往来/项目
    item follows the detail."""
    full = view.account_names.get(line.account_id)
    if full is None:
        account: Account | None = view.accounts.get(line.account_id)
        full = account.name if account is not None else f"（科目{line.account_id}）"
    top, _, detail = full.partition("—")
    if line.aux_id is not None:
        item = view.aux_names.get(line.aux_id, "")
        if item:
            detail = f"{detail}—{item}" if detail else item
    return top, detail


def _voucher_number(view: VoucherView, form: int, forms: int) -> str:
    voucher = view.voucher
    number = str(voucher.number) if voucher.number is not None else "\u3000\u3000"
    if forms > 1:
        number = f"{number} {form}/{forms}"
    return f"{voucher.type_code}字第{number}号"


def _draw_voucher_form(
    sheet: _Sheet,
    view: VoucherView,
    lines: Sequence[VoucherLine],
    form: int,
    forms: int,
    page: tuple[float, float],
) -> None:
    voucher, book = view.voucher, view.book
    width, height = page
    left, right = 15 * MM, width - 10 * MM  # the wider margin on the left is for binding
    grid_right = right - 9 * MM  # 附单据 N 张 stands to the right of the grid
    top = height - 9 * MM

    # Title with the double rule under it, as printed on 凭证纸.
    type_ = book.type_named(voucher.type_code)
    title = type_.name if type_ is not None else "记账凭证"
    title_size = 18.0
    baseline = top - title_size * 0.88
    title_width = sheet.text(title, width / 2, baseline, FontRole.TITLE, title_size, "center", spacing=6.0)
    under = baseline - 0.2 * title_size - 2
    sheet.rule(width / 2 - title_width / 2 - 6, under, width / 2 + title_width / 2 + 6, under, THIN)
    sheet.rule(width / 2 - title_width / 2 - 6, under - 2, width / 2 + title_width / 2 + 6, under - 2, THIN)

    info_size = 10.0
    info = under - 6 * MM
    unit = f"核算单位：{book.name}"
    unit_size = _fit_size(sheet, unit, FontRole.BODY, info_size, (grid_right - left) * 0.38, 7.0)
    sheet.text(unit, left, info, FontRole.BODY, unit_size)
    day = voucher.date
    sheet.text(f"{day.year}年{day.month}月{day.day}日", width / 2, info, FontRole.BODY, info_size, "center")
    sheet.text(_voucher_number(view, form, forms), grid_right, info, FontRole.BODY, info_size, "right")

    # The grid.
    grid_top = info - 3 * MM
    signature_band = 10 * MM
    bottom_margin = 8 * MM
    head_height = 6.5 * MM
    rows = book.lines_per_form + 1  # the lines and the 合计 row
    room = grid_top - 2 * head_height - signature_band - bottom_margin
    row_height = min(14 * MM, room / rows)
    grid_bottom = grid_top - 2 * head_height - rows * row_height
    total_width = grid_right - left
    edges = [left]
    for share in _VOUCHER_SHARES:
        edges.append(edges[-1] + share * total_width)
    edges[-1] = grid_right

    sheet.box(left, grid_bottom, grid_right, grid_top, THICK)
    mid = grid_top - head_height
    body_top = grid_top - 2 * head_height
    # Header: 摘要 and the amounts span both rows; 会计科目 spans 总账科目 and 明细科目.
    sheet.rule(edges[1], mid, edges[3], mid)
    sheet.rule(left, body_top, grid_right, body_top)
    total_top = body_top - (rows - 1) * row_height
    # The 合计 row's words run across 摘要 and 会计科目: no rules between them there.
    for index in (3, 4):
        sheet.rule(edges[index], grid_bottom, edges[index], grid_top)
    sheet.rule(edges[1], total_top, edges[1], grid_top)
    sheet.rule(edges[2], total_top, edges[2], mid)
    head_size = 10.0

    def centred(text: str, a: float, b: float, band_top: float, band_height: float, size: float) -> None:
        sheet.text(
            text, (a + b) / 2, band_top - band_height / 2 - EM_CENTRE * size, FontRole.BODY, size, "center"
        )

    centred("摘\u3000要", edges[0], edges[1], grid_top, 2 * head_height, head_size)
    centred("会计科目", edges[1], edges[3], grid_top, head_height, head_size)
    centred("总账科目", edges[1], edges[2], mid, head_height, head_size)
    centred("明细科目", edges[2], edges[3], mid, head_height, head_size)
    centred("借方金额", edges[3], edges[4], grid_top, 2 * head_height, head_size)
    centred("贷方金额", edges[4], edges[5], grid_top, 2 * head_height, head_size)

    size = min(10.0, row_height * 0.55)
    pad = 2.5
    for index in range(rows):
        y = body_top - (index + 1) * row_height
        if index < rows - 1:
            sheet.rule(left, y, grid_right, y)
    for index, line in enumerate(lines):
        band_top = body_top - index * row_height
        top_name, detail = account_columns(view, line)
        _cell(sheet, line.summary, edges[0], edges[1], band_top, row_height, size, pad, "left")
        _cell(sheet, top_name, edges[1], edges[2], band_top, row_height, size, pad, "left")
        _cell(sheet, detail, edges[2], edges[3], band_top, row_height, size, pad, "left")
        for column, amount in ((3, line.debit), (4, line.credit)):
            if amount:
                color = RED if amount < 0 else BLACK
                _cell(
                    sheet,
                    _money(amount),
                    edges[column],
                    edges[column + 1],
                    band_top,
                    row_height,
                    size,
                    pad,
                    "right",
                    color,
                )
    # Blank rows are struck through (a diagonal across the amounts), so nothing can be added later.
    if form == forms and len(lines) < book.lines_per_form:
        first_blank = body_top - len(lines) * row_height
        last_blank = body_top - book.lines_per_form * row_height
        sheet.rule(edges[3] + 2, last_blank + 2, edges[5] - 2, first_blank - 2, THIN)

    sheet.rule(left, total_top, grid_right, total_top, THICK * 0.8)
    if form == forms:
        words = f"合计（大写）：{view.amount_words}" if view.amount_words else "合\u3000计"
        _cell(sheet, words, edges[0], edges[3], total_top, row_height, size, pad, "left")
        for column, amount in ((3, voucher.total_debit), (4, voucher.total_credit)):
            color = RED if amount < 0 else BLACK
            _cell(
                sheet,
                _money(amount, False),
                edges[column],
                edges[column + 1],
                total_top,
                row_height,
                size,
                pad,
                "right",
                color,
            )
    else:
        _cell(sheet, "过次页", edges[0], edges[3], total_top, row_height, size, pad, "center")

    # 附单据 N 张, standing upright beside the grid.
    column_x = (grid_right + right) / 2 + 1
    attach = ["附", "单", "据", str(voucher.attachments), "张"]
    step = 13.0
    y = (grid_top + grid_bottom) / 2 + step * (len(attach) - 1) / 2 - EM_CENTRE * 10
    for piece in attach:
        sheet.text(piece, column_x, y, FontRole.BODY, 10.0, "center")
        y -= step

    # Signatures (blank names are signed by hand).
    names = {
        "记账": voucher.posted_by,
        "审核": voucher.reviewed_by,
        "出纳": book.cashier_name,
        "制单": voucher.prepared_by,
    }
    slot = (grid_right - left) / len(_SIGNATURES)
    sign_y = grid_bottom - signature_band / 2 - EM_CENTRE * 10
    for index, label in enumerate(_SIGNATURES):
        text = f"{label}：{names.get(label, '')}"
        sheet.text(
            text,
            left + index * slot,
            sign_y,
            FontRole.BODY,
            _fit_size(sheet, text, FontRole.BODY, 10.0, slot - 4, 7.0),
        )


def _cell(
    sheet: _Sheet,
    text: str,
    a: float,
    b: float,
    band_top: float,
    band_height: float,
    size: float,
    pad: float,
    align: str,
    color: Color = BLACK,
) -> None:
    """A cell of the voucher: on one line, shrunk a little if need be; else wrapped, at the largest size
    at which every line fits the row (the whole text is always printed)."""
    text = clean_text(text)
    if not text:
        return
    room = b - a - 2 * pad
    fitted = _fit_size(sheet, text, FontRole.BODY, size, room, size * 0.75)
    lines = [text]
    if sheet.width(text, FontRole.BODY, fitted) > room:
        fitted = size * 0.8
        while True:
            lines = _wrap(sheet, text, FontRole.BODY, fitted, room)
            if len(lines) * fitted * 1.15 <= band_height - 2 or fitted <= _SMALLEST:
                break
            fitted = max(_SMALLEST, fitted - 0.5)
    leading = fitted * 1.15
    first = band_top - band_height / 2 + (len(lines) - 1) * leading / 2 - EM_CENTRE * fitted
    for number, line in enumerate(lines):
        x = {"left": a + pad, "right": b - pad, "center": (a + b) / 2}[align]
        sheet.text(line, x, first - number * leading, FontRole.BODY, fitted, align, color)


# --- reports -----------------------------------------------------------------------------------------

REPORT_MARGIN = 14 * MM
REPORT_SIZE = 9.0
REPORT_LEADING = REPORT_SIZE * 1.25
REPORT_PAD_X = 3.0
REPORT_PAD_Y = 3.0
HEADER_ROW = 6.5 * MM
TITLE_SIZE = 16.0
INFO_SIZE = 9.0
FOOTER_SIZE = 9.0
_NARROW = 6  # text columns this narrow (月, 日, 借或贷) are centred


@dataclass(frozen=True)
class _Row:
    cells: tuple[tuple[str, ...], ...]  # lines per cell
    height: float
    strong: bool
    size: tuple[float, ...]  # font size per cell (money shrunk to fit)


def _column_edges(report: Report, left: float, width: float, sheet: _Sheet) -> list[float]:
    """Column edges over ``width``: shares of ``ReportColumn.width``, money columns at least as wide
    as their widest figure."""
    columns = report.columns
    need = []
    for index, column in enumerate(columns):
        if column.kind is CellKind.MONEY:
            widest = max(
                (
                    sheet.width(row[index], FontRole.BODY, REPORT_SIZE)
                    for row in report.rows
                    if index < len(row)
                ),
                default=0.0,
            )
            need.append(widest + 2 * REPORT_PAD_X)
        else:
            need.append(0.0)
    shares = [max(1, c.width) for c in columns]
    total = sum(shares)
    widths = [width * s / total for s in shares]
    # Widen money columns that need it, taking the room from the text columns.
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    if short > 0:
        text_columns = [i for i, c in enumerate(columns) if c.kind is CellKind.TEXT]
        spare = sum(widths[i] * 0.5 for i in text_columns)
        take = min(short, spare)
        if take > 0:
            for i in text_columns:
                widths[i] -= take * (widths[i] * 0.5) / spare
            for i, (n, w) in enumerate(zip(need, widths, strict=True)):
                if n > w:
                    widths[i] = w + take * (n - w) / short
    edges = [left]
    for w in widths:
        edges.append(edges[-1] + w)
    return edges


def _groups(columns: Sequence[ReportColumn]) -> list[tuple[int, int, str]]:
    """Runs of adjacent columns: (first, last + 1, group title; "" for a column of its own)."""
    runs: list[tuple[int, int, str]] = []
    for index, column in enumerate(columns):
        if column.group and runs and runs[-1][2] == column.group and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1, column.group)
        else:
            runs.append((index, index + 1, column.group))
    return runs


def _layout_rows(report: Report, edges: Sequence[float], sheet: _Sheet) -> list[_Row]:
    rows: list[_Row] = []
    columns = report.columns
    for number, values in enumerate(report.rows):
        strong = number in report.strong_rows
        role = FontRole.HEI if strong else FontRole.BODY
        cells: list[tuple[str, ...]] = []
        sizes: list[float] = []
        for index, column in enumerate(columns):
            value = values[index] if index < len(values) else ""
            room = edges[index + 1] - edges[index] - 2 * REPORT_PAD_X
            if column.kind is CellKind.TEXT:
                cells.append(tuple(_wrap(sheet, value, role, REPORT_SIZE, room)))
                sizes.append(REPORT_SIZE)
            else:
                cells.append((clean_text(value),))
                sizes.append(_fit_size(sheet, value, role, REPORT_SIZE, room, 5.0))
        lines = max((len(c) for c in cells), default=1)
        height = REPORT_SIZE + (lines - 1) * REPORT_LEADING + 2 * REPORT_PAD_Y + 2
        rows.append(_Row(tuple(cells), height, strong, tuple(sizes)))
    return rows


class _ReportPages:
    """Where things go on a report page (the same on every page)."""

    def __init__(self, report: Report, sheet: _Sheet) -> None:
        self.report = report
        self.page = (A4[1], A4[0]) if report.landscape else A4
        width, height = self.page
        self.left = REPORT_MARGIN
        self.right = width - REPORT_MARGIN
        self.edges = _column_edges(report, self.left, self.right - self.left, sheet)
        self.grouped = any(c.group for c in report.columns)
        y = height - REPORT_MARGIN
        self.form_y = y - INFO_SIZE * 0.88
        y -= 4 * MM if report.form else 0
        self.title_y = y - TITLE_SIZE * 0.88
        y = self.title_y - 0.12 * TITLE_SIZE - 3 * MM
        if report.subtitle:
            self.subtitle_y = y - INFO_SIZE * 0.88
            y = self.subtitle_y - 2.5 * MM
        else:
            self.subtitle_y = y
        self.info_y = y - INFO_SIZE * 0.88
        self.table_top = self.info_y - 0.12 * INFO_SIZE - 2 * MM
        self.header_height = HEADER_ROW * (2 if self.grouped else 1)
        self.body_top = self.table_top - self.header_height
        self.footer_y = REPORT_MARGIN - 2 * MM
        self.body_bottom = REPORT_MARGIN + 4 * MM

    def paginate(self, rows: Sequence[_Row], notes_height: float) -> list[tuple[int, int]]:
        """Row ranges per page; the notes under the table stay on the last page."""
        pages: list[tuple[int, int]] = []
        room = self.body_top - self.body_bottom
        start, used = 0, 0.0
        for index, row in enumerate(rows):
            if used + row.height > room and index > start:
                pages.append((start, index))
                start, used = index, 0.0
            used += row.height
        pages.append((start, len(rows)))
        if notes_height and used + notes_height > room and rows:
            pages.append((len(rows), len(rows)))
        return pages

    def furniture(self, sheet: _Sheet, number: int, total: int) -> None:
        report = self.report
        width = self.page[0]
        centre = width / 2
        if report.form:
            sheet.text(report.form, self.right, self.form_y, FontRole.BODY, INFO_SIZE, "right")
        sheet.text(report.title, centre, self.title_y, FontRole.TITLE, TITLE_SIZE, "center", spacing=2.0)
        if report.subtitle:
            sheet.text(report.subtitle, centre, self.subtitle_y, FontRole.BODY, INFO_SIZE + 1, "center")
        third = (self.right - self.left) / 3
        unit_size = _fit_size(sheet, report.unit, FontRole.BODY, INFO_SIZE, third * 1.1, 6.0)
        sheet.text(report.unit, self.left, self.info_y, FontRole.BODY, unit_size)
        sheet.text(report.range_text, centre, self.info_y, FontRole.BODY, INFO_SIZE, "center")
        sheet.text(report.unit_text, self.right, self.info_y, FontRole.BODY, INFO_SIZE, "right")
        if report.footer:
            sheet.text(report.footer, self.left, self.footer_y, FontRole.BODY, FOOTER_SIZE)
        sheet.text(
            f"第{number}页\u3000共{total}页", self.right, self.footer_y, FontRole.BODY, FOOTER_SIZE, "right"
        )
        self._header(sheet)

    def _header(self, sheet: _Sheet) -> None:
        edges, top = self.edges, self.table_top
        columns = self.report.columns
        bottom = self.body_top
        sheet.rule(self.left, top, self.right, top, THICK)
        sheet.rule(self.left, bottom, self.right, bottom)
        for first, last, group in _groups(columns):
            a, b = edges[first], edges[last]
            if group and self.grouped:
                mid = top - HEADER_ROW
                _centred(sheet, group, a, b, top, HEADER_ROW)
                sheet.rule(a, mid, b, mid)
                for index in range(first, last):
                    _centred(sheet, columns[index].title, edges[index], edges[index + 1], mid, HEADER_ROW)
                    if index > first:
                        sheet.rule(edges[index], bottom, edges[index], mid)
            else:
                _centred(sheet, columns[first].title, a, b, top, top - bottom)

    def body(self, sheet: _Sheet, rows: Sequence[_Row], notes: Sequence[str], last: bool) -> None:
        columns = self.report.columns
        y = self.body_top
        for row in rows:
            role = FontRole.HEI if row.strong else FontRole.BODY
            for index, column in enumerate(columns):
                lines = row.cells[index]
                a, b = self.edges[index], self.edges[index + 1]
                size = row.size[index]
                baseline = y - REPORT_PAD_Y - 1 - 0.88 * size
                if column.kind is CellKind.MONEY:
                    text = lines[0]
                    color = RED if text.startswith("-") else BLACK
                    sheet.text(text, b - REPORT_PAD_X, baseline, role, size, "right", color)
                    continue
                for line in lines:
                    if column.kind is CellKind.TEXT and column.width > _NARROW:
                        sheet.text(line, a + REPORT_PAD_X, baseline, role, size)
                    else:
                        sheet.text(line, (a + b) / 2, baseline, role, size, "center")
                    baseline -= REPORT_LEADING
            y -= row.height
            sheet.rule(self.left, y, self.right, y, THIN if row is not rows[-1] else THICK)
        if not rows:
            sheet.rule(self.left, y, self.right, y, THICK)
        # Vertical rules from the header down to the last row, the outer ones heavier.
        for index, x in enumerate(self.edges):
            outer = index in (0, len(self.edges) - 1)
            sheet.rule(x, y, x, self.body_top, THICK if outer else THIN)
            if outer:
                sheet.rule(x, self.body_top, x, self.table_top, THICK)
        if last:
            y -= 5 * MM
            for note in notes:
                for line in _wrap(sheet, note, FontRole.BODY, INFO_SIZE, self.right - self.left):
                    sheet.text(line, self.left, y, FontRole.BODY, INFO_SIZE)
                    y -= INFO_SIZE * 1.5


def _centred(sheet: _Sheet, text: str, a: float, b: float, band_top: float, band_height: float) -> None:
    size = _fit_size(sheet, text, FontRole.BODY, REPORT_SIZE + 0.5, b - a - 4, 6.0)
    sheet.text(
        text, (a + b) / 2, band_top - band_height / 2 - EM_CENTRE * size, FontRole.BODY, size, "center"
    )


# --- the printer -------------------------------------------------------------------------------------


class LedgerPdf:
    """``LedgerPrinter``: vouchers and reports as PDF.

    ``fonts``: the clerk's choice per role (``NoticeSettings.fonts``), else the system's, else the bundled
    Noto Sans SC (``printing.fonts.resolve_fonts``).
    """

    def __init__(self, fonts: Iterable[tuple[FontRole, str]] = ()) -> None:
        self._chosen = tuple(fonts)
        self.warnings: tuple[str, ...] = ()  # of the last build: fonts not honoured, characters missing

    def voucher_pdf(self, views: Sequence[VoucherView], village: str) -> bytes:
        """Each voucher on as many A5 landscape forms as its lines need, one form per page."""
        resolution = resolve_fonts(self._chosen)
        buffer = io.BytesIO()
        with _RENDER_LOCK:
            fonts = TextFonts(resolution)
            title = "记账凭证" if len(views) != 1 else f"记账凭证 {views[0].voucher.label}"
            pdf = _new_canvas(buffer, A5_LANDSCAPE, fonts, f"{village} {title}".strip())
            if not views:
                pdf.showPage()
            for view in views:
                per_form = max(1, view.book.lines_per_form)
                lines = list(view.voucher.lines)
                forms = view.voucher.forms(per_form)
                mark = {VoucherStatus.DRAFT: "未审核", VoucherStatus.VOID: "作废"}.get(
                    view.voucher.status, ""
                )
                for form in range(1, forms + 1):
                    if mark:
                        _watermark(pdf, fonts, mark, A5_LANDSCAPE, 90.0)
                    sheet = _Sheet(fonts)
                    chunk = lines[(form - 1) * per_form : form * per_form]
                    _draw_voucher_form(sheet, view, chunk, form, forms, A5_LANDSCAPE)
                    sheet.draw(pdf)
                    pdf.showPage()
            pdf.save()
            self.warnings = tuple(fonts.warnings())
        return buffer.getvalue()

    def report_pdf(self, report: Report) -> bytes:
        """The report on A4 pages (landscape when it asks), the header repeated on each."""
        resolution = resolve_fonts(self._chosen)
        buffer = io.BytesIO()
        with _RENDER_LOCK:
            fonts = TextFonts(resolution)
            measure = _Sheet(fonts)
            layout = _ReportPages(report, measure)
            rows = _layout_rows(report, layout.edges, measure)
            notes_height = (5 * MM + INFO_SIZE * 1.5 * len(report.notes)) if report.notes else 0.0
            pages = layout.paginate(rows, notes_height)
            pdf = _new_canvas(buffer, layout.page, fonts, report.title)
            for number, (start, end) in enumerate(pages, start=1):
                sheet = _Sheet(fonts)
                layout.furniture(sheet, number, len(pages))
                layout.body(sheet, rows[start:end], report.notes, number == len(pages))
                sheet.draw(pdf)
                pdf.showPage()
            pdf.save()
            self.warnings = tuple(fonts.warnings())
        return buffer.getvalue()


__all__ = ["LedgerPdf", "account_columns"]
