"""The notice layout: real PDFs, read back."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from pathlib import Path

import pytest
import reportlab

from printing.notices import BODY_SIZE, MM, PAPERS, render_notice
from tests.printing.pdfs import (
    all_text,
    bundled_settings,
    bundled_width,
    cjk,
    demo_notice,
    dibao_table,
    embedded_fonts,
    page_content,
    page_sizes,
    page_texts,
    pdffonts_report,
    runs_containing,
    squeeze,
    text_runs,
)
from village_desk.errors import ValidationError
from village_desk.notices import (
    Column,
    ColumnKind,
    FontRole,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    PaperChoice,
    Paragraph,
    PeriodUnit,
    SealPosition,
    period_text,
)
from village_desk.village import VillageProfile

A4_PORTRAIT = (595, 842)
A4_LANDSCAPE = (842, 595)
A3_LANDSCAPE = (1191, 842)
LEFT = 28 * MM
PITCH = 156 * MM / 28
VERA = str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")


def test_every_part_of_the_notice_is_printed(village: VillageProfile, settings: NoticeSettings) -> None:
    notice = demo_notice()
    rendered = render_notice(notice, village, settings)
    text = all_text(rendered.pdf)

    expected = [notice.title, notice.number, notice.objection, notice.issuer, "2026年11月30日"]
    expected += [block.text for block in notice.body if isinstance(block, Paragraph)]
    expected += ["公示期：2026年11月30日至2026年12月4日，共5天。", "附件：低保申请审批表"]
    expected += ["监督电话：0475-5123456", "投诉电话：0475-5123457"]
    table = notice.tables[0]
    expected += [table.title, *(c.title for c in table.columns)]
    expected += [cell for row in table.rows for cell in row[:2]]
    expected += ["385.00", "1,155.00", "1,540.00", "合计", "3,850.00"]
    for piece in expected:
        assert squeeze(piece) in text, piece

    typed = notice.title + "".join(b.text for b in notice.body if isinstance(b, Paragraph))
    typed += "".join(cell for row in table.rows for cell in row) + "".join(c.title for c in table.columns)
    assert cjk(typed) <= cjk(text)
    assert rendered.paper == PaperChoice.A4_PORTRAIT.value
    assert set(page_sizes(rendered.pdf)) == {A4_PORTRAIT}
    assert rendered.warnings == ()


def test_every_font_is_embedded(village: VillageProfile, settings: NoticeSettings, tmp_path: object) -> None:
    rendered = render_notice(demo_notice(letterhead=True, kind=NoticeKind.ANNOUNCEMENT), village, settings)
    fonts = embedded_fonts(rendered.pdf)
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    # Subsets only: reportlab names them AAAAAA+, AAAAAB+ … in order of first use.
    assert all("+" in name for name in fonts)
    assert {name.split("+")[1] for name in fonts} == {"NotoSansSC-Regular", "NotoSansSC-Bold"}
    report = pdffonts_report(rendered.pdf, tmp_path)
    if report is not None:  # poppler-utils installed: its view must agree
        rows = report.splitlines()[2:]
        assert rows and all(" yes yes " in row for row in rows), report


def test_body_sits_on_a_grid_of_28_characters_and_22_lines(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    ideographs = "农村低保对象经农户申请入户核查村民代表会议民主评议拟将以下农户纳入现予以公示"
    paragraph = (ideographs * 50)[:1800]  # no punctuation: every line is full
    notice = demo_notice(body=(Paragraph(paragraph),), attachments=(), period_start=None, period_end=None)
    rendered = render_notice(notice, village, settings)
    pages = text_runs(rendered.pdf)
    first = [run for run in pages[0] if run.size == BODY_SIZE and set(run.text) <= set(ideographs)]
    assert len(squeeze(first[0].text)) == 26  # indented two characters
    assert all(len(squeeze(run.text)) == 28 for run in first[1:-1])
    second = [run for run in pages[1] if run.size == BODY_SIZE]
    assert len(second) == 22
    pitches = {round(a.y - b.y, 2) for a, b in itertools.pairwise(second)}
    assert pitches == {round(225 * MM / 22, 2)}
    # The text block starts 28 mm from the left edge; the first line of a paragraph 2 characters in.
    assert first[0].x == pytest.approx(LEFT + 2 * PITCH, abs=0.01)
    assert second[0].x == pytest.approx(LEFT, abs=0.01)


def test_no_line_starts_with_closing_punctuation(village: VillageProfile, settings: NoticeSettings) -> None:
    # 27 ideographs and then 。: the full stop would be the 28th... 29th character; it takes the
    # character before it down to the next line instead of starting that line.
    text = "村" * 26 + "民委。员会，" + "经核查" * 20 + "（一）" + "农户" * 30 + "《办法》"
    notice = demo_notice(body=(Paragraph(text),), attachments=())
    rendered = render_notice(notice, village, settings)
    lines = [run.text for page in text_runs(rendered.pdf) for run in page if run.size == BODY_SIZE]
    assert lines, "no body lines"
    assert not any(line[0] in "，。、；：？！”）》" for line in lines)
    assert not any(line[-1] in "“（《" for line in lines)
    assert squeeze(text) in all_text(rendered.pdf)


def test_headings_in_their_typefaces(village: VillageProfile) -> None:
    # 楷体 gets reportlab's own Vera.ttf (Latin only) so the PDF tells it apart from 正文.
    settings = bundled_settings((FontRole.KAI, VERA))
    body = (
        Paragraph("一、评议情况", 1),
        Paragraph("（一）Review。Body text here.", 2),
        Paragraph("1.核查内容", 3),
    )
    rendered = render_notice(demo_notice(body=body, attachments=()), village, settings)
    heading = runs_containing(rendered.pdf, "评议情况")
    assert heading and all(run.font == "NotoSansSC-Bold" for run in heading)
    kai = runs_containing(rendered.pdf, "Review")
    assert kai and kai[0].font == "BitstreamVeraSans-Roman"
    # The 楷体 part ends at the first 。; the rest of the paragraph is in the body font.
    rest = runs_containing(rendered.pdf, "Body text")
    assert rest and rest[0].font == "NotoSansSC-Regular"
    level3 = runs_containing(rendered.pdf, "核查内容")
    assert level3 and level3[0].font == "NotoSansSC-Regular"
    title = runs_containing(rendered.pdf, "低保对象的公示")
    assert title and title[0].font == "NotoSansSC-Bold" and title[0].size == 22


def test_long_title_wraps_into_balanced_centred_lines(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    title = "关于小大歹村第二村民小组巷道硬化和村部排水沟改造项目实施结果的公示"  # 32 characters
    rendered = render_notice(demo_notice(title=title), village, settings)
    lines = [run for run in text_runs(rendered.pdf)[0] if run.size == 22]
    assert len(lines) == 2
    assert squeeze("".join(run.text for run in lines)) == title
    assert abs(len(lines[0].text) - len(lines[1].text)) <= 2
    for line in lines:  # centred on the text block
        width = bundled_width(line.text, 22, bold=True)
        assert line.x - LEFT == pytest.approx(LEFT + 156 * MM - (line.x + width), abs=0.05)


def test_page_numbers_and_page_totals_on_a_long_list(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    table = dibao_table(150)
    notice = demo_notice(body=(Paragraph("现将名单公示如下。"), table))
    rendered = render_notice(notice, village, settings)
    texts = page_texts(rendered.pdf)
    total = len(texts)
    assert rendered.pages == total > 3
    for number, page in enumerate(texts, start=1):
        squeezed = squeeze(page)
        if number < total:  # the last page holds only the text after the list
            for column in table.columns:  # the header row on every page of the table
                assert squeeze(column.title) in squeezed, (number, column.title)
        assert f"—{number}—" in squeezed
        assert f"第{number}页共{total}页" in squeezed
    text = all_text(rendered.pdf)
    for row in table.rows:
        assert f"{row[0]}{row[1]}" in text
    total = sum(385 * (1 + i % 4) for i in range(150))
    assert f"合计{sum(1 + i % 4 for i in range(150))}{total:,}.00" in text
    # Odd pages: page number on the right; even pages: on the left, one character in.
    pages = text_runs(rendered.pdf)
    odd = next(r for r in pages[0] if r.text.startswith("— 1"))
    even = next(r for r in pages[1] if r.text.startswith("— 2"))
    assert even.x == pytest.approx(LEFT + 14, abs=0.01)
    assert odd.x > 595 / 2
    assert odd.y == pytest.approx(35 * MM - 7 * MM - 0.38 * 14, abs=0.01)


def test_no_page_totals_on_a_single_page_or_without_a_table(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    one_page = render_notice(demo_notice(), village, settings)
    assert "第1页共1页" not in all_text(one_page.pdf)
    long_text = demo_notice(body=(Paragraph("村民代表会议" * 200),))
    rendered = render_notice(long_text, village, settings)
    assert rendered.pages > 1
    assert "共" + str(rendered.pages) + "页" not in all_text(rendered.pdf)
    assert "—2—" in all_text(rendered.pdf)


def test_period_in_working_days(village: VillageProfile) -> None:
    settings = bundled_settings(holidays=(dt.date(2026, 10, 1), dt.date(2026, 10, 2)))
    notice = demo_notice(
        period_start=dt.date(2026, 9, 28),
        period_end=dt.date(2026, 10, 6),
        period_unit=PeriodUnit.WORKING_DAYS,
    )
    rendered = render_notice(notice, village, settings)
    expected = period_text(notice, settings.calendar())
    assert expected == "公示期：2026年9月28日至2026年10月6日，共5个工作日。"
    assert squeeze(expected) in all_text(rendered.pdf)


def test_phones_only_when_wanted_and_set(village: VillageProfile, settings: NoticeSettings) -> None:
    hidden = render_notice(demo_notice(show_phones=False), village, settings)
    assert "监督电话：" not in all_text(hidden.pdf)
    only_one = render_notice(demo_notice(), replace(village, complaint_phone=""), settings)
    assert "监督电话：0475-5123456" in all_text(only_one.pdf)
    assert "投诉电话：" not in all_text(only_one.pdf)


def test_internal_mark_only_on_internal_prints(village: VillageProfile, settings: NoticeSettings) -> None:
    notice = demo_notice(body=(Paragraph("村民代表会议" * 200),))
    public = render_notice(notice, village, settings)
    internal = render_notice(notice, village, settings, internal=True)
    assert "内部资料" not in all_text(public.pdf)
    assert internal.pages > 1
    assert all("内部资料不得张贴" in squeeze(page) for page in page_texts(internal.pdf))


def test_draft_watermark_and_unissued_mark_only_on_drafts(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    draft = demo_notice(
        status=NoticeStatus.DRAFT, number="", issue_date=None, body=(Paragraph("会议" * 300),)
    )
    rendered = render_notice(draft, village, settings)
    texts = [squeeze(page) for page in page_texts(rendered.pdf)]
    assert len(texts) > 1
    assert all("草稿" in page for page in texts)
    assert "（未发布）" in texts[0]
    # No date yet: a blank form line to fill in by hand.
    assert "小大歹村村民委员会年月日" in texts[-1]
    watermark = runs_containing(rendered.pdf, "草稿")
    assert watermark and all(run.size == 150 for run in watermark)

    issued = render_notice(
        replace(draft, status=NoticeStatus.ISSUED, number="村务公示〔2026〕4号"), village, settings
    )
    assert "草稿" not in all_text(issued.pdf)
    assert "未发布" not in all_text(issued.pdf)
    assert "村务公示〔2026〕4号" in all_text(issued.pdf)


def test_letterhead_with_number_and_red_line(village: VillageProfile, settings: NoticeSettings) -> None:
    notice = demo_notice(kind=NoticeKind.NOTIFICATION, letterhead=True, number="村务通知〔2026〕2号")
    rendered = render_notice(notice, village, settings)
    issuer = runs_containing(rendered.pdf, "小大歹村村民委员会")
    big = [run for run in issuer if run.size > 22]
    assert len(big) == 1  # the 版头, above the number
    number = runs_containing(rendered.pdf, "村务通知〔2026〕2号")[0]
    assert big[0].y > number.y
    # Both centred on the text block.
    centre = LEFT + 156 * MM / 2
    assert number.x < centre < number.x + 2 * len(number.text) * BODY_SIZE
    content = page_content(rendered.pdf, 0)
    assert b".9 0 0 RG" in content  # the red separator line
    plain = render_notice(replace(notice, letterhead=False), village, settings)
    content = page_content(plain.pdf, 0)
    assert b".9 0 0 RG" not in content


def test_number_right_aligned_above_the_title_without_letterhead(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    rendered = render_notice(demo_notice(), village, settings)
    number = runs_containing(rendered.pdf, "村务公示〔2026〕3号")[0]
    title = runs_containing(rendered.pdf, "关于2026年")[0]
    assert number.y > title.y
    assert number.x > LEFT + 156 * MM / 2


def test_seal_positions(village: VillageProfile, settings: NoticeSettings) -> None:
    date, issuer = "2026年11月30日", "小大歹村村民委员会"
    spacing = PITCH - BODY_SIZE
    date_width = bundled_width(date, BODY_SIZE, spacing=spacing)
    issuer_width = bundled_width(issuer, BODY_SIZE, spacing=spacing)
    right_edge = LEFT + 156 * MM

    sealed = render_notice(demo_notice(seal=SealPosition.ON_DATE), village, settings)
    date_run = runs_containing(sealed.pdf, date)[-1]
    issuer_run = runs_containing(sealed.pdf, issuer)[-1]
    assert issuer_run.y - date_run.y == pytest.approx(225 * MM / 22, abs=0.01)  # issuer right above
    # The date ends 4 characters from the right; the issuer is centred over it (the seal covers both).
    assert date_run.x + date_width == pytest.approx(right_edge - 4 * PITCH, abs=0.05)
    assert issuer_run.x + issuer_width / 2 == pytest.approx(date_run.x + date_width / 2, abs=0.05)

    unsealed = render_notice(demo_notice(seal=SealPosition.NONE), village, settings)
    date_run = runs_containing(unsealed.pdf, date)[-1]
    issuer_run = runs_containing(unsealed.pdf, issuer)[-1]
    assert date_run.x + date_width == pytest.approx(right_edge - 2 * PITCH, abs=0.05)
    assert issuer_run.x + issuer_width == pytest.approx(right_edge - 2 * PITCH, abs=0.05)


def test_addressee_starts_at_the_margin(village: VillageProfile, settings: NoticeSettings) -> None:
    body = (Paragraph("全体党员："), Paragraph("经村党支部研究，定于近期召开党员大会。"))
    rendered = render_notice(demo_notice(body=body, attachments=()), village, settings)
    assert runs_containing(rendered.pdf, "全体党员")[0].x == pytest.approx(LEFT, abs=0.01)
    assert runs_containing(rendered.pdf, "经村党支部")[0].x == pytest.approx(LEFT + 2 * PITCH, abs=0.01)


def test_same_input_same_bytes(village: VillageProfile, settings: NoticeSettings) -> None:
    notice = demo_notice(body=(*demo_notice().body, Paragraph("稀有字：𠮷。")))
    first = render_notice(notice, village, settings).pdf
    render_notice(demo_notice(title="另一份公示", body=(dibao_table(60),)), village, settings)
    second = render_notice(notice, village, settings).pdf
    assert first == second


def test_a_long_cell_wraps_and_a_huge_one_runs_over_pages(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    remark = "该户家庭成员因病致贫，经村民代表会议评议同意纳入监测，落实帮扶措施。" * 3
    huge = "一二三四五六七八九十" * 400  # taller than a page in any column width
    table = NoticeTable(
        columns=(Column("户主姓名"), Column("情况说明"), Column("金额", ColumnKind.MONEY)),
        rows=(("包金山", remark, "100"), ("李秀英", huge, "200")),
    )
    rendered = render_notice(demo_notice(body=(table,)), village, settings)
    text = all_text(rendered.pdf)
    assert squeeze(remark) in text
    assert text.count("九") == 400  # split over pages, but every character there
    assert rendered.pages >= 3
    assert all("情况说明" in squeeze(page) for page in page_texts(rendered.pdf))


@pytest.mark.parametrize(
    ("columns", "paper", "size"),
    [
        (5, PaperChoice.A4_PORTRAIT, A4_PORTRAIT),
        (7, PaperChoice.A4_LANDSCAPE, A4_LANDSCAPE),
        (10, PaperChoice.A3_LANDSCAPE, A3_LANDSCAPE),
    ],
)
def test_automatic_paper_follows_the_table_width(
    village: VillageProfile, settings: NoticeSettings, columns: int, paper: PaperChoice, size: tuple[int, int]
) -> None:
    table = NoticeTable(
        columns=tuple(Column(f"第{i + 1}项", ColumnKind.MONEY) for i in range(columns)),
        rows=tuple(tuple(f"{1234567 + i * 1000 + j}.50" for j in range(columns)) for i in range(5)),
        totals=True,
    )
    rendered = render_notice(demo_notice(body=(table,)), village, settings)
    assert rendered.paper == paper.value
    assert set(page_sizes(rendered.pdf)) == {size}
    if paper is PaperChoice.A4_PORTRAIT:
        assert not any("纸张" in w for w in rendered.warnings)
    else:
        assert any(paper.value in w for w in rendered.warnings), rendered.warnings
    text = all_text(rendered.pdf)
    assert "1,234,567.50" in text and f"第{columns}项" in text


def test_chosen_paper_is_used_and_a_too_narrow_one_is_explained(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    narrow = render_notice(demo_notice(paper=PaperChoice.A3_LANDSCAPE), village, settings)
    assert narrow.paper == PaperChoice.A3_LANDSCAPE.value
    assert set(page_sizes(narrow.pdf)) == {A3_LANDSCAPE}
    wide = NoticeTable(
        columns=tuple(Column(f"第{i + 1}项", ColumnKind.MONEY) for i in range(14)),
        rows=((*(f"{1234567 + j}.50" for j in range(14)),),),
    )
    forced = render_notice(demo_notice(body=(wide,), paper=PaperChoice.A4_PORTRAIT), village, settings)
    assert forced.paper == PaperChoice.A4_PORTRAIT.value
    assert set(page_sizes(forced.pdf)) == {A4_PORTRAIT}
    assert any("排不下" in w for w in forced.warnings)
    # Squeezed but nothing lost: every digit is still there.
    assert "1234567.50" in all_text(forced.pdf).replace(",", "")


def test_landscape_pages_keep_the_grid_and_proportionate_margins(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    paper = PAPERS[PaperChoice.A4_LANDSCAPE]
    assert (paper.text_width / MM, paper.text_height / MM) == pytest.approx((225, 156))
    rendered = render_notice(demo_notice(paper=PaperChoice.A4_LANDSCAPE), village, settings)
    body = runs_containing(rendered.pdf, "经农户申请")[0]
    assert body.x == pytest.approx(37 * MM + 2 * 225 * MM / 40, abs=0.01)


def test_sensitive_column_refused_publicly_printed_internally(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    table = NoticeTable(
        columns=(Column("姓名"), Column("残疾类别", ColumnKind.SENSITIVE), Column("补助", ColumnKind.MONEY)),
        rows=(("包金山", "肢体二级", "300"),),
    )
    notice = demo_notice(body=(table,))
    with pytest.raises(ValidationError) as raised:
        render_notice(notice, village, settings)
    assert "残疾类别" in raised.value.message
    internal = render_notice(notice, village, settings, internal=True)
    assert "肢体二级" in all_text(internal.pdf)
    assert "内部资料" in all_text(internal.pdf)


def test_masking_is_announced_only_when_something_was_masked(
    village: VillageProfile, settings: NoticeSettings
) -> None:
    plain = render_notice(demo_notice(), village, settings)
    assert not any("遮盖" in w for w in plain.warnings)
    with_ids = render_notice(demo_notice(body=(dibao_table(3, with_ids=True),)), village, settings)
    assert any("遮盖" in w for w in with_ids.warnings)
    assert "150525********0007" in all_text(with_ids.pdf)
    internal = render_notice(
        demo_notice(body=(dibao_table(3, with_ids=True),)), village, settings, internal=True
    )
    assert not any("遮盖" in w for w in internal.warnings)
    assert "150525198001010007" in all_text(internal.pdf)


def test_an_empty_draft_still_prints(village: VillageProfile, settings: NoticeSettings) -> None:
    draft = demo_notice(
        title="",
        body=(),
        attachments=(),
        objection="",
        issuer="",
        issue_date=None,
        period_start=None,
        period_end=None,
        status=NoticeStatus.DRAFT,
        number="",
    )
    rendered = render_notice(draft, village, settings)
    assert rendered.pages == 1
    assert "草稿" in all_text(rendered.pdf)


def test_closing_keeps_company_with_the_text(village: VillageProfile, settings: NoticeSettings) -> None:
    """However long the body, the 落款 never stands alone on a page."""
    closing = {"小大歹村村民委员会", "2026年11月30日"}
    for extra in range(24):
        body = tuple(Paragraph(f"第{i + 1}条，按照规定办理。") for i in range(12 + extra))
        for seal in SealPosition:
            notice = demo_notice(
                body=body, attachments=(), period_start=None, period_end=None, objection="", seal=seal
            )
            rendered = render_notice(notice, village, settings)
            last = [run.text for run in text_runs(rendered.pdf)[-1] if run.size == BODY_SIZE]
            assert closing <= set(last), (extra, seal)
            assert set(last) - closing, f"{extra}, {seal}: the last page has only the closing"


@pytest.mark.parametrize(
    ("first", "at_margin"),
    [("全体党员：", True), ("各村民小组、全体村民：", True), ("现将有关事项公示如下：", False)],
)
def test_only_an_addressee_starts_at_the_margin(
    village: VillageProfile, settings: NoticeSettings, first: str, at_margin: bool
) -> None:
    rendered = render_notice(demo_notice(body=(Paragraph(first),), attachments=()), village, settings)
    x = runs_containing(rendered.pdf, first[:4])[0].x
    assert x == pytest.approx(LEFT if at_margin else LEFT + 2 * PITCH, abs=0.01)
