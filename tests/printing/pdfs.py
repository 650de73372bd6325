"""Reading our PDFs back: text with pypdf (and where each piece sits, in which font), embedded fonts,
page sizes; and the sample notices the tests print."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, replace

from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from village_desk.notices import (
    DEFAULT_OBJECTION,
    Column,
    ColumnKind,
    FontRole,
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    Paragraph,
)
from village_desk.paths import fonts_dir

_SPACE = re.compile(r"\s+")

REGULAR = str(fonts_dir() / "NotoSansSC_400Regular.ttf")
BOLD = str(fonts_dir() / "NotoSansSC_700Bold.ttf")
BUNDLED_FONTS = {FontRole.TITLE: BOLD, FontRole.BODY: REGULAR, FontRole.HEI: BOLD, FontRole.KAI: REGULAR}


def bundled_settings(*chosen: tuple[FontRole, str], **changes: object) -> NoticeSettings:
    """Settings that name the bundled fonts for every role (``chosen`` overriding some), so what a
    test prints does not depend on the Chinese fonts of the machine it runs on."""
    fonts = {**BUNDLED_FONTS, **dict(chosen)}
    return NoticeSettings(fonts=tuple(fonts.items()), **changes)  # type: ignore[arg-type]


def squeeze(text: str) -> str:
    """Text without any whitespace: what we compare, since extraction adds line breaks and spaces."""
    return _SPACE.sub("", text)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    return squeeze("".join(page_texts(pdf)))


def cjk(text: str) -> set[str]:
    """The Chinese characters (and full-width punctuation) in ``text``."""
    return {c for c in text if ord(c) >= 0x2E80}


@dataclass(frozen=True)
class Run:
    """One text-showing operation as pypdf sees it: where it starts and in which font."""

    text: str
    x: float
    y: float
    font: str  # BaseFont without the subset prefix, e.g. NotoSansSC-Bold
    size: float


def text_runs(pdf: bytes) -> list[list[Run]]:
    """Per page, every piece of text with its position and font."""
    return [_page_runs(page) for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_runs(page: PageObject) -> list[Run]:
    """reportlab switches font subsets (256 characters each) inside one line: pieces on the same line
    in the same font are joined back into one run, starting where the first piece starts."""
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip() or not isinstance(font, dict):
            return
        name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
        x, y = float(tm[4]), float(tm[5])
        last = runs[-1] if runs else None
        if last is not None and last.font == name and last.y == y and last.size == size and last.x == x:
            runs[-1] = replace(last, text=last.text + text.strip())
        else:
            runs.append(Run(text.strip(), x, y, name, float(size)))

    page.extract_text(visitor_text=visit)
    return runs


def runs_containing(pdf: bytes, piece: str) -> list[Run]:
    return [run for page in text_runs(pdf) for run in page if piece in run.text]


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font on every page (BaseFont → whether a TrueType program is embedded, /FontFile2)."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        for ref in resources.get("/Font", DictionaryObject()).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts[str(font["/BaseFont"]).lstrip("/")] = embedded
    return fonts


def pdffonts_report(pdf: bytes, tmp_path: object) -> str | None:
    """``pdffonts`` output when poppler-utils is installed, else None."""
    tool = shutil.which("pdffonts")
    if tool is None:
        return None
    path = tmp_path / "fonts.pdf"  # type: ignore[operator]
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def page_content(pdf: bytes, index: int) -> bytes:
    """The (decompressed) content stream of page ``index``."""
    contents = PdfReader(io.BytesIO(pdf)).pages[index].get_contents()
    assert contents is not None
    return contents.get_data()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def dibao_table(rows: int = 4, *, with_ids: bool = False) -> NoticeTable:
    columns = [Column("村民小组"), Column("户主姓名")]
    if with_ids:
        columns.append(Column("身份证号", ColumnKind.ID_NUMBER))
    columns += [Column("保障人数", ColumnKind.NUMBER), Column("月保障金额（元）", ColumnKind.MONEY)]
    names = ("包金山", "李秀英", "韩宝音", "王玉凤", "张国军", "白音仓", "吴海军", "乌云其木格")
    body = []
    for i in range(rows):
        row = [f"第{'一二三四五六七八'[i % 8]}村民小组", f"{names[i % len(names)]}{i + 1}"]
        if with_ids:
            row.append(f"15052519800101{i % 1000:03d}7")
        row += [str(1 + i % 4), f"{385 * (1 + i % 4)}.00"]
        body.append(tuple(row))
    return NoticeTable(columns=tuple(columns), rows=tuple(body), totals=True, title="新增低保对象名单")


def demo_notice(**changes: object) -> Notice:
    """A 低保 list 公示 like the demo village's, issued."""
    notice = Notice(
        id=None,
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="关于2026年第四季度新增低保对象的公示",
        body=(
            Paragraph("经农户申请、入户核查、村民代表会议民主评议，拟将以下农户纳入农村低保，现予以公示。"),
            Paragraph("一、评议情况", 1),
            Paragraph("（一）入户核查。村“两委”干部和驻村工作队逐户入户核查，共核查申请户6户。", 2),
            Paragraph("1.核查内容包括家庭收入、财产、劳动力状况等。", 3),
            dibao_table(),
            Paragraph("（1）低保金按月发放到户。", 4),
        ),
        attachments=("低保申请审批表",),
        period_start=dt.date(2026, 11, 30),
        period_end=dt.date(2026, 12, 4),
        objection=DEFAULT_OBJECTION,
        issuer="小大歹村村民委员会",
        issue_date=dt.date(2026, 11, 30),
        status=NoticeStatus.ISSUED,
        number="村务公示〔2026〕3号",
    )
    return replace(notice, **changes)  # type: ignore[arg-type]


def bundled_width(text: str, size: float, *, bold: bool = False, spacing: float = 0.0) -> float:
    """How wide ``text`` is drawn in the bundled Noto Sans SC, measured by reportlab itself, from the
    first glyph's origin to the end of the last (character spacing between glyphs, not after the last)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "tests-noto-bold" if bold else "tests-noto-regular"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, BOLD if bold else REGULAR))
    return float(pdfmetrics.stringWidth(text, name, size)) + (len(text) - 1) * spacing
