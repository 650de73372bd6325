"""Printing and exporting the books through LedgerService, on a real database: the PDFs and workbooks
it returns, the 打印/导出/导入 entries it logs, who may do it."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from db import SqlStorage
from db.spreadsheets import LedgerWorkbooks
from printing.ledger import LedgerPdf
from tests.printing.pdfs import BUNDLED_FONTS, page_texts, squeeze
from village_desk.accounts import MACHINE, Access, Actor, Role
from village_desk.audit import AuditAction, AuditEntry, AuditFilter
from village_desk.errors import AccessDeniedError, ValidationError, VillageDeskError
from village_desk.ids import UserId
from village_desk.ledger import AccountId, Book, Period, Voucher, VoucherId, VoucherLine
from village_desk.ledger_reports import trial_balance_report
from village_desk.services import VillageService
from village_desk.services.ledger import LedgerService
from village_desk.services.notices import NoticeService
from village_desk.village import VillageProfile

pytestmark = pytest.mark.storage

D = Decimal
ADMIN = Actor(UserId(1), "admin", "王书记", frozenset({Role.ADMIN}))
ACCOUNTANT = Actor(UserId(3), "kuaiji", "张会计", frozenset({Role.ACCOUNTANT}))
REVIEWER = Actor(UserId(4), "shenhe", "李审核", frozenset({Role.ACCOUNTANT}))
READER = Actor(UserId(6), "chakan", "周查看", frozenset({Role.READER}))
PRINTER = LedgerPdf(tuple(BUNDLED_FONTS.items()))


@dataclass
class Books:
    storage: SqlStorage
    book: Book
    cash: AccountId
    bank: AccountId
    income: AccountId
    posted: VoucherId
    draft: VoucherId

    def as_(self, actor: Actor, *, printer: bool = True, spreadsheets: bool = True) -> LedgerService:
        access = Access(actor)
        return LedgerService(
            self.storage,
            access,
            NoticeService(self.storage, access),
            PRINTER if printer else None,
            LedgerWorkbooks() if spreadsheets else None,
        )

    def log(self, action: AuditAction) -> list[AuditEntry]:
        with self.storage.transaction() as tx:
            return tx.audit_entries(AuditFilter(action=action))


@pytest.fixture
def books(storage: SqlStorage) -> Books:
    """A book of 2025 with a posted voucher (记-1: cash 1,234.50 from 经营收入) and a draft (记-2)."""
    VillageService(storage, Access(MACHINE)).set_up(VillageProfile(name="小大歹", township="甘旗卡"), 3)
    admin = LedgerService(storage, Access(ADMIN), NoticeService(storage, Access(ADMIN)))
    book = admin.create_book("小大歹村股份经济合作社", "001", Period(2025, 1))
    assert book.id is not None
    accounts = {a.code: a.id for a in admin.accounts(book.id)}
    cash, bank, income = accounts["101"], accounts["102"], accounts["501"]
    assert cash is not None and bank is not None and income is not None
    made = Books(storage, book, cash, bank, income, VoucherId(0), VoucherId(0))
    accountant = made.as_(ACCOUNTANT)
    posted = accountant.save_voucher(
        Voucher(
            None,
            book.id,
            "记",
            dt.date(2025, 3, 5),
            (
                VoucherLine("收土地发包款", cash, debit=D("1234.50")),
                VoucherLine("收土地发包款", income, credit=D("1234.50")),
            ),
            attachments=2,
        )
    )
    assert posted.id is not None
    reviewed = made.as_(REVIEWER).review(posted.id, posted.version)
    accountant.post([posted.id])
    draft = accountant.save_voucher(
        Voucher(
            None,
            book.id,
            "记",
            dt.date(2025, 3, 9),
            (
                VoucherLine("存现", bank, debit=D("1000.00")),
                VoucherLine("存现", cash, credit=D("1000.00")),
            ),
        )
    )
    assert draft.id is not None and reviewed.id == posted.id
    made.posted, made.draft = posted.id, draft.id
    return made


def test_vouchers_print_as_forms_and_each_print_is_logged(books: Books) -> None:
    pdf = books.as_(READER).vouchers_pdf([books.posted, books.draft])
    pages = [squeeze(t) for t in page_texts(pdf)]
    assert len(pages) == 2
    assert "记字第1号" in pages[0] and "2025年3月5日" in pages[0]
    assert "收土地发包款" in pages[0] and "经营收入" in pages[0] and "1,234.50" in pages[0]
    assert "人民币壹仟贰佰叁拾肆元伍角整" in pages[0]
    assert "审核：李审核" in pages[0] and "制单：张会计" in pages[0] and "记账：张会计" in pages[0]
    assert "附单据2张" in pages[0]
    assert "核算单位：小大歹村股份经济合作社" in pages[0]
    assert "未审核" in pages[1] and "未审核" not in pages[0]
    logged = books.log(AuditAction.PRINT)
    assert sorted(e.record_id or 0 for e in logged) == sorted([books.posted, books.draft])
    assert all(e.username == "chakan" and e.record_type == "记账凭证" for e in logged)
    assert any("2025年3月记-1号" in e.summary for e in logged)
    assert any("记-2号（未审核）" in e.summary for e in logged)


def test_report_pdf_and_xlsx_are_logged(books: Books) -> None:
    accountant = books.as_(ACCOUNTANT)
    assert books.book.id is not None
    tb = accountant.trial_balance(books.book.id, Period(2025, 1), Period(2025, 3))
    report = trial_balance_report(books.book, tb, "张会计")
    text = squeeze("".join(page_texts(accountant.report_pdf(report))))
    assert "科目余额表" in text and "1,234.50" in text and "库存现金" in text
    (printed,) = books.log(AuditAction.PRINT)
    assert printed.summary == "科目余额表（小大歹村股份经济合作社，2025年1月—2025年3月）"
    sheet = load_workbook(io.BytesIO(accountant.report_xlsx([report]))).active
    cash_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "101")
    assert D(repr(cash_row[4])) == D("1234.5")  # 本期发生额 借方, a number
    (exported,) = books.log(AuditAction.EXPORT)
    assert exported.summary == f"导出Excel：{printed.summary}"
    with pytest.raises(AccessDeniedError):
        books.as_(READER).report_xlsx([report])


def test_vouchers_xlsx_has_every_posted_line(books: Books) -> None:
    assert books.book.id is not None
    data = books.as_(ACCOUNTANT).vouchers_xlsx(books.book.id, 2025)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == ("日期", "凭证类型", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方")
    body = sorted(rows[1:], key=lambda r: str(r[4]))
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in body] == [
        (dt.datetime(2025, 3, 5), "记", 1, "收土地发包款", "101", "库存现金"),
        (dt.datetime(2025, 3, 5), "记", 1, "收土地发包款", "501", "经营收入"),
    ]  # the draft is not posted: not exported
    assert D(repr(body[0][6])) == D("1234.5") and D(repr(body[1][7])) == D("1234.5")
    (logged,) = books.log(AuditAction.EXPORT)
    assert logged.record_id == books.book.id and "2条" in logged.summary
    with pytest.raises(AccessDeniedError):
        books.as_(READER).vouchers_xlsx(books.book.id, 2025)


def _statement(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["农业银行对账单"])
    sheet.append(["交易日期", "摘要", "收入金额", "支出金额", "流水号"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_bank_statement_adds_new_lines_once(books: Books) -> None:
    assert books.book.id is not None
    accountant = books.as_(ACCOUNTANT)
    data = _statement(["2025-03-09", "存现", "1,000.00", None, "B1"], ["2025/3/20", "手续费", None, 5, "B2"])
    assert accountant.import_bank_statement(books.book.id, books.bank, data) == 2
    assert accountant.import_bank_statement(books.book.id, books.bank, data) == 0
    lines = accountant.bank_lines(books.book.id, books.bank, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert sorted((line.date, line.deposit, line.withdrawal, line.reference) for line in lines) == [
        (dt.date(2025, 3, 9), D("1000.00"), D("0.00"), "B1"),
        (dt.date(2025, 3, 20), D("0.00"), D("5.00"), "B2"),
    ]
    logged = books.log(AuditAction.IMPORT)
    assert [e.summary for e in logged if "银行对账单" in e.summary][-1].count("新增2笔") == 1
    bad = _statement(["2025-03-21", "利息", "一百", None, "B3"])
    with pytest.raises(ValidationError, match="第3行“收入金额”列"):
        accountant.import_bank_statement(books.book.id, books.bank, bad)
    assert (
        len(accountant.bank_lines(books.book.id, books.bank, dt.date(2025, 3, 1), dt.date(2025, 3, 31))) == 2
    )


def test_without_the_printer_or_spreadsheets_a_sentence_says_so(books: Books) -> None:
    assert books.book.id is not None
    bare = books.as_(ACCOUNTANT, printer=False, spreadsheets=False)
    with pytest.raises(VillageDeskError, match="缺少打印组件"):
        bare.vouchers_pdf([books.posted])
    with pytest.raises(VillageDeskError, match="缺少Excel组件"):
        bare.vouchers_xlsx(books.book.id, 2025)
    assert books.log(AuditAction.PRINT) == [] and books.log(AuditAction.EXPORT) == []


def test_the_application_wires_the_printer_and_the_spreadsheets(tmp_path: Path) -> None:
    from village_desk.app import LazyLedgerPrinter, LazyLedgerSpreadsheets, open_context
    from village_desk.ledger_reports import CellKind, table_report

    ctx = open_context(None, tmp_path, tmp_path / "logs", demo=False, allow_demo_switch=False, lock=False)
    assert isinstance(ctx.ledger._printer, LazyLedgerPrinter)
    assert isinstance(ctx.ledger._spreadsheets, LazyLedgerSpreadsheets)
    book = Book(None, "小大歹村股份经济合作社", "001", Period(2025, 1))
    report = table_report(
        book, "总账", "2025年", ["摘要", "借方"], [CellKind.TEXT, CellKind.MONEY], [("本月合计", "1.00")]
    )
    assert "总账" in squeeze("".join(page_texts(LazyLedgerPrinter().report_pdf(report))))
    sheet = load_workbook(io.BytesIO(LazyLedgerSpreadsheets().report_xlsx([report]))).active
    assert sheet.title == "总账"
