"""The ledger's paper: voucher forms and books/statements as PDF (printing.ledger), read back as text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from printing.ledger import LedgerPdf, account_columns
from tests.printing.ledger_samples import (
    BOOK,
    balance_sheet,
    income_statement,
    receivable_view,
    trial_balance,
    voucher_view,
    year_of_entries,
)
from tests.printing.pdfs import BUNDLED_FONTS, page_content, page_sizes, page_texts, pdffonts_report, squeeze
from village_desk.ledger import Period, VoucherLine, VoucherStatus
from village_desk.ledger_reports import (
    CellKind,
    ledger_report,
    statement_report,
    table_report,
    trial_balance_report,
)

A5_LANDSCAPE = (595, 420)
A4_PORTRAIT = (595, 842)
A4_LANDSCAPE = (842, 595)


@pytest.fixture(scope="module")
def printer() -> LedgerPdf:
    return LedgerPdf(tuple(BUNDLED_FONTS.items()))


def pdftotext(pdf: bytes, tmp_path: Path) -> list[str]:
    """Per page, the text as poppler extracts it (a second, independent reader besides pypdf)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def word_boxes(pdf: bytes, tmp_path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Words of a page with their boxes (text, x min, y min, x max, y max; y from the top), by poppler."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "boxes.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        [tool, "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [(m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in pattern.findall(html)]


# --- vouchers ----------------------------------------------------------------------------------------


def test_a_voucher_form_has_every_part_of_the_paper_form(printer: LedgerPdf, tmp_path: Path) -> None:
    pdf = printer.voucher_pdf([voucher_view(3)], "小大歹村")
    assert page_sizes(pdf) == [A5_LANDSCAPE]
    text = squeeze(page_texts(pdf)[0])
    for piece in (
        "记账凭证",
        "核算单位：小大歹村股份经济合作社",
        "2025年3月5日",
        "记字第5号",
        "摘要",
        "会计科目",
        "总账科目",
        "明细科目",
        "借方金额",
        "贷方金额",
        "支付办公用品费第1笔",
        "管理费用",
        "办公费",
        "库存现金",
        "1,234.50",
        "2,469.00",
        "合计（大写）：人民币贰仟肆佰陆拾玖元整",
        "会计主管：",
        "记账：张会计",
        "审核：李审核",
        "出纳：白出纳",
        "制单：张会计",
        "经手人：",
    ):
        assert piece in text, piece
    assert "过次页" not in text
    assert "未审核" not in text
    assert "附单据3张" in text
    # 附单据 3 张 stands upright at the right of the grid, one character under the other.
    boxes = {word: (x0, y0, x1) for word, x0, y0, x1, _ in word_boxes(pdf, tmp_path)}
    column = [boxes[c] for c in ("附", "单", "据", "3", "张")]
    assert len({round((x0 + x1) / 2) for x0, _, x1 in column}) == 1
    assert [y for _, y, _ in column] == sorted(y for _, y, _ in column)
    assert column[0][0] > boxes["2,469.00"][2] - 1
    poppler = squeeze(pdftotext(pdf, tmp_path)[0])
    assert "记账：张会计审核：李审核出纳：白出纳制单：张会计经手人：" in poppler


def test_the_chinese_font_is_embedded(printer: LedgerPdf, tmp_path: Path) -> None:
    pdf = printer.voucher_pdf([voucher_view(2)], "小大歹村")
    report = pdffonts_report(pdf, tmp_path)
    if report is None:
        pytest.skip("pdffonts is not installed")
    lines = report.splitlines()[2:]
    assert lines, report
    assert any("NotoSansSC" in line for line in lines)
    for line in lines:
        assert " yes yes yes " in line, line  # embedded, subset, with a ToUnicode map
    assert "Helvetica" not in report


def test_a_long_voucher_runs_over_forms_with_fraction_numbers(printer: LedgerPdf) -> None:
    view = voucher_view(12)  # five lines a form: three forms
    pdf = printer.voucher_pdf([view], "小大歹村")
    pages = [squeeze(t) for t in page_texts(pdf)]
    assert len(pages) == 3
    assert "记字第51/3号" in pages[0]
    assert "记字第52/3号" in pages[1]
    assert "记字第53/3号" in pages[2]
    # Totals and 大写 only on the last form; the earlier ones carry over.
    assert "过次页" in pages[0] and "过次页" in pages[1]
    assert "合计（大写）" not in pages[0] + pages[1]
    assert "合计（大写）：人民币壹万叁仟伍佰柒拾玖元伍角整" in pages[2]
    assert "13,579.50" in pages[2] and "13,579.50" not in pages[0]
    assert "支付办公用品费第5笔" in pages[0] and "支付办公用品费第6笔" in pages[1]
    assert "支付办公用品费第11笔" in pages[2]


def test_lines_per_form_comes_from_the_book(printer: LedgerPdf) -> None:
    from dataclasses import replace

    view = voucher_view(6, book=replace(BOOK, lines_per_form=8))
    pdf = printer.voucher_pdf([view], "小大歹村")
    assert len(page_sizes(pdf)) == 1
    assert "记字第5号" in squeeze(page_texts(pdf)[0])


def test_several_vouchers_one_pdf_one_form_a_page(printer: LedgerPdf) -> None:
    views = [voucher_view(2, number=n) for n in (1, 2, 3)]
    pdf = printer.voucher_pdf(views, "小大歹村")
    pages = [squeeze(t) for t in page_texts(pdf)]
    assert [p for p in pages if "记字第1号" in p] == [pages[0]]
    assert "记字第2号" in pages[1] and "记字第3号" in pages[2]
    assert page_sizes(pdf) == [A5_LANDSCAPE] * 3


def test_a_draft_says_unreviewed_and_a_void_one_void(printer: LedgerPdf) -> None:
    draft = printer.voucher_pdf([voucher_view(2, status=VoucherStatus.DRAFT)], "小大歹村")
    void = printer.voucher_pdf([voucher_view(2, status=VoucherStatus.VOID)], "小大歹村")
    posted = printer.voucher_pdf([voucher_view(2)], "小大歹村")
    assert "未审核" in squeeze(page_texts(draft)[0])
    assert "作废" in squeeze(page_texts(void)[0])
    assert "作废" not in squeeze(page_texts(posted)[0])
    # A draft has nobody under 审核 and 记账 yet.
    assert "审核：出纳" in squeeze(page_texts(draft)[0])


def test_red_amounts_print_in_red_with_a_minus(printer: LedgerPdf) -> None:
    pdf = printer.voucher_pdf([voucher_view(2, red=True)], "小大歹村")
    text = squeeze(page_texts(pdf)[0])
    assert "-1,234.50" in text
    assert "人民币负壹仟贰佰叁拾肆元伍角整" in text
    red_fill = re.compile(r"(^|\s)0?\.85 0 0 rg")
    assert red_fill.search(page_content(pdf, 0).decode("latin-1"))
    black = printer.voucher_pdf([voucher_view(2)], "小大歹村")
    assert not red_fill.search(page_content(black, 0).decode("latin-1"))


def test_account_columns_split_the_full_name_and_add_the_item() -> None:
    view = receivable_view()
    bank, receivable = view.voucher.lines
    assert account_columns(view, bank) == ("银行存款", "")
    assert account_columns(view, receivable) == ("应收款", "张三—张三（1组）")
    unknown = VoucherLine("x", receivable.account_id.__class__(99), debit=receivable.credit)
    assert account_columns(view, unknown) == ("（科目99）", "")


def test_same_vouchers_same_bytes(printer: LedgerPdf) -> None:
    views = [voucher_view(3), receivable_view()]
    assert printer.voucher_pdf(views, "小大歹村") == printer.voucher_pdf(views, "小大歹村")


# --- reports -----------------------------------------------------------------------------------------


def test_trial_balance_on_a4_landscape(printer: LedgerPdf, tmp_path: Path) -> None:
    report = trial_balance_report(BOOK, trial_balance(), "张会计")
    pdf = printer.report_pdf(report)
    assert page_sizes(pdf) == [A4_LANDSCAPE]
    text = squeeze(page_texts(pdf)[0])
    for piece in (
        "科目余额表",
        "核算单位：小大歹村股份经济合作社",
        "2025年1月—2025年3月",
        "单位：元",
        "期初余额",
        "本期发生额",
        "期末余额",
        "库存现金",
        "16,499.50",
        "547,000.00",
        "第1页共1页",
        "制表：张会计",
    ):
        assert piece in text, piece
    lines = pdftotext(pdf, tmp_path)[0].splitlines()
    total = next(line for line in lines if "合" in line and "547,000.00" in line)
    assert squeeze(total).endswith("397,000.00397,000.00276,300.50276,300.50547,000.00547,000.00")


def test_strong_rows_are_bold(printer: LedgerPdf) -> None:
    from tests.printing.pdfs import runs_containing

    pdf = printer.report_pdf(trial_balance_report(BOOK, trial_balance()))
    assert {run.font for run in runs_containing(pdf, "547,000.00")} == {"NotoSansSC-Bold"}
    assert {run.font for run in runs_containing(pdf, "16,499.50")} == {"NotoSansSC-Regular"}


def test_money_is_right_aligned(printer: LedgerPdf, tmp_path: Path) -> None:
    pdf = printer.report_pdf(trial_balance_report(BOOK, trial_balance()))
    boxes = word_boxes(pdf, tmp_path)
    # 期末余额 借方 of 101 (16,499.50) and of 102 (405,000.00): their right ends line up.
    ends = [x1 for word, _, _, x1, _ in boxes if word in ("16,499.50", "405,000.00")]
    assert len(ends) == 2
    assert ends[0] == pytest.approx(ends[1], abs=0.5)
    (code,) = [x0 for word, x0, *_ in boxes if word == "101"]
    assert code < ends[0] - 400


def test_balance_sheet_two_sides_form_code_top_right(printer: LedgerPdf) -> None:
    from tests.printing.pdfs import runs_containing

    pdf = printer.report_pdf(statement_report(BOOK, balance_sheet(), "张会计"))
    assert page_sizes(pdf) == [A4_LANDSCAPE]
    text = squeeze(page_texts(pdf)[0])
    for piece in (
        "资产负债表",
        "村会01表",
        "编制单位：小大歹村股份经济合作社",
        "2025年3月31日",
        "资产总计",
        "负债和所有者权益总计",
        "年初数",
        "期末数",
        "行次",
        "单位负责人：",
    ):
        assert piece in text, piece
    (form,) = runs_containing(pdf, "村会01表")
    (title,) = runs_containing(pdf, "资产负债表")
    assert form.x > 700 and form.y > title.y  # top right, above the title


def test_income_statement_portrait(printer: LedgerPdf) -> None:
    pdf = printer.report_pdf(statement_report(BOOK, income_statement()))
    assert page_sizes(pdf) == [A4_PORTRAIT]
    text = squeeze(page_texts(pdf)[0])
    assert "收益及收益分配表" in text and "村会02表" in text and "六、年末未分配收益" in text


def test_a_year_of_a_journal_runs_over_pages_with_the_header_on_each(printer: LedgerPdf) -> None:
    page = year_of_entries(2500)
    report = ledger_report(
        BOOK, "现金日记账", "101 库存现金", page, Period(2025, 1), Period(2025, 12), "张会计"
    )
    pdf = printer.report_pdf(report)
    texts = [squeeze(t) for t in page_texts(pdf)]
    count = len(texts)
    assert count > 50
    for number, text in enumerate(texts, start=1):
        assert "现金日记账" in text
        assert "科目：101库存现金" in text
        assert "凭证字号摘要借方贷方借或贷余额" in text
        assert f"第{number}页共{count}页" in text
    whole = "".join(texts)
    # Every entry printed once, and every month's totals.
    for i in (1, 1000, 2500):
        assert whole.count(f"第{i}笔") == 1
    assert whole.count("本月合计") == 12
    assert whole.count("本年累计") == 12
    assert "上年结转" in texts[0]
    # The last balance (借/贷 and its absolute value) closes the book.
    final = page.entries[-1].balance
    assert f"{abs(final):,.2f}" in texts[-1]


def test_rows_never_split_and_long_text_wraps(printer: LedgerPdf) -> None:
    summary = "支付二〇二五年村部办公楼屋顶防水维修工程第一期进度款（按合同约定的百分之三十）" * 2
    rows = [("3", "5", "记-1", summary, "1.00", "", "借", "1.00")] * 40
    report = table_report(
        BOOK,
        "明细账",
        "2025年3月",
        ["月", "日", "凭证字号", "摘要", "借方", "贷方", "借或贷", "余额"],
        [CellKind.TEXT] * 4 + [CellKind.MONEY] * 2 + [CellKind.TEXT, CellKind.MONEY],
        rows,
    )
    pdf = printer.report_pdf(report)
    whole = "".join(squeeze(t) for t in page_texts(pdf))
    assert whole.count("（按合同约定的百分之三十）") == 80  # every character of every row printed
    assert len(page_sizes(pdf)) > 1


def test_notes_and_an_empty_report(printer: LedgerPdf) -> None:
    from dataclasses import replace

    report = trial_balance_report(BOOK, trial_balance())
    noted = replace(report, notes=("试算不平衡：请检查。",), rows=())
    pdf = printer.report_pdf(noted)
    text = squeeze(page_texts(pdf)[0])
    assert "试算不平衡：请检查。" in text and "第1页共1页" in text
