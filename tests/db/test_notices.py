"""公示公告 on a real database: the storage of notices and the service end to end.

A notice goes in and the same notice comes out; the list filters in SQL and
never loads a PDF or a photo; a draft is issued with the next number of its
category and year (no gaps, no twins, also when two clerks issue at once on
SQLite and PostgreSQL), its PDF is stored once with its SHA-256 and then it
refuses edits; posting, taking down, cancelling and correcting keep every
notice in the archive; feedback and photos are logged; every step is in the
audit trail; a tampered stored PDF is found; a backup keeps the PDFs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from db import SqlStorage, notice_body, open_storage, sqlite_url
from db.spreadsheets import NOTICE_INDEX_COLUMNS, write_notice_index
from tests.db.notice_tools import combine, page_count, pdf_text, render
from village_desk.accounts import MACHINE, Access, Actor, Role
from village_desk.app import open_context
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, FieldChange
from village_desk.errors import AccessDeniedError, ConflictError, NotFoundError, ValidationError
from village_desk.ids import UserId
from village_desk.notices import (
    Cadence,
    Column,
    ColumnKind,
    DueState,
    FeedbackKind,
    FontRole,
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeFilter,
    NoticeId,
    NoticeKind,
    NoticePhoto,
    NoticePhotoId,
    NoticeRenderer,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    PaperChoice,
    Paragraph,
    PeriodRule,
    PeriodUnit,
    RenderedNotice,
    SealPosition,
)
from village_desk.services import AuditService, VillageService
from village_desk.services.notices import NoticeService, PhotoUpload
from village_desk.village import VillageProfile

NOW = dt.datetime(2026, 11, 30, 9, 15, 0)
PROFILE = VillageProfile(
    name="小大歹",
    township="甘旗卡",
    county="科尔沁左翼后",
    city="通辽",
    org_name="小大歹村股份经济合作社",
    supervision_phone="0475-1234567",
    complaint_phone="12345",
)
CLERK = Actor(UserId(2), "wenshu", "赵文书", frozenset({Role.CLERK}))
CLERK_2 = Actor(UserId(5), "wenshu2", "钱文书", frozenset({Role.CLERK}))
ADMIN = Actor(UserId(1), "admin", "王书记", frozenset({Role.ADMIN}))
SUPERVISOR = Actor(UserId(4), "jiandu", "孙监督", frozenset({Role.SUPERVISOR}))
READER = Actor(UserId(6), "chakan", "周查看", frozenset({Role.READER}))
ACCOUNTANT = Actor(UserId(3), "kuaiji", "李会计", frozenset({Role.ACCOUNTANT}))

FULL_ID = "150523197003150012"
MASKED_ID = "150523********0012"
LIST_TABLE = NoticeTable(
    columns=(
        Column("户主姓名"),
        Column("身份证号", ColumnKind.ID_NUMBER),
        Column("保障人数", ColumnKind.NUMBER),
        Column("月补助金额", ColumnKind.MONEY),
    ),
    rows=(("王建国", FULL_ID, "3", "1260"), ("李秀英", "", "1", "420.5")),
    totals=True,
)
BODY = (
    Paragraph("经农户申请、村民代表会议评议，拟确定以下农户为2026年低保对象，现予公示。"),
    Paragraph("一、公示对象", 1),
    LIST_TABLE,
)


class Clock:
    """The time the service and the storage see; a test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Office:
    storage: SqlStorage
    access: Access
    notices: NoticeService
    clock: Clock

    def service(self, storage: SqlStorage, actor: Actor, renderer: NoticeRenderer = render) -> NoticeService:
        """Another session (its own sign-in) on ``storage``, at this office's time."""
        return NoticeService(
            storage, Access(actor), renderer, self.clock, index_writer=write_notice_index, combiner=combine
        )

    def draft(
        self,
        title: str = "关于2026年低保对象的公示",
        category: NoticeCategory = NoticeCategory.VILLAGE,
        kind: NoticeKind = NoticeKind.PUBLICITY,
        **changes: object,
    ) -> Notice:
        """A complete draft, saved."""
        made = self.notices.new_draft(category, kind, title, period_rule="低保")
        return self.notices.save_draft(replace(made, body=BODY, **changes))  # type: ignore[arg-type]

    def issued(self, title: str = "关于2026年低保对象的公示", **changes: object) -> Notice:
        saved = self.draft(title, **changes)  # type: ignore[arg-type]
        assert saved.id is not None
        return self.notices.issue(saved.id, saved.version)

    def entries(self, record_type: str | None = None, action: AuditAction | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first."""
        with self.storage.transaction() as tx:
            found = tx.audit_entries(AuditFilter(record_type=record_type, action=action))
        return list(reversed(found))

    def head(self) -> int:
        with self.storage.transaction() as tx:
            head = tx.audit_head()
        return head.seq if head is not None else 0

    def count(self, table: str) -> int:
        with self.storage.engine.connect() as connection:
            return int(connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)


@pytest.fixture
def office(storage: SqlStorage) -> Office:
    """小大歹村 set up, a clerk signed in, the clock at ``NOW`` (the storage's too: creation dates)."""
    clock = Clock(NOW)
    clocked = SqlStorage(storage.engine, storage.location, clock)
    VillageService(clocked, Access(MACHINE)).set_up(PROFILE, 2)
    access = Access(CLERK)
    service = NoticeService(clocked, access, render, clock, index_writer=write_notice_index, combiner=combine)
    return Office(clocked, access, service, clock)


def _id(notice: Notice) -> NoticeId:
    assert notice.id is not None
    return notice.id


def _changes(entry: AuditEntry) -> dict[str, tuple[str, str]]:
    return {c.field: (c.old, c.new) for c in entry.changes}


# --- the body as JSON ----------------------------------------------------------------------------------
_texts = st.text(max_size=12)
_columns = st.lists(st.builds(Column, _texts, st.sampled_from(list(ColumnKind))), min_size=1, max_size=4)
_tables = _columns.flatmap(
    lambda columns: st.builds(
        NoticeTable,
        st.just(tuple(columns)),
        st.lists(st.lists(_texts, min_size=len(columns), max_size=len(columns)).map(tuple), max_size=4).map(
            tuple
        ),
        st.booleans(),
        _texts,
    )
)
_paragraphs = st.builds(Paragraph, _texts, st.integers(0, 4))
_bodies = st.lists(st.one_of(_paragraphs, _tables), max_size=5).map(tuple)


class TestBodyJson:
    @given(_bodies)
    def test_every_body_comes_back_as_it_was(self, body: tuple[Paragraph | NoticeTable, ...]) -> None:
        text = notice_body.body_to_json(body)
        assert notice_body.body_from_json(text) == body
        assert notice_body.body_to_json(notice_body.body_from_json(text)) == text  # one text per body

    def test_kinds_are_stored_as_their_chinese_values(self) -> None:
        text = notice_body.body_to_json(BODY)
        assert '"kind":"身份证号"' in text and '"kind":"金额"' in text
        assert "一、公示对象" in text  # readable, not \\u escapes

    @pytest.mark.parametrize(
        "text",
        [
            '{"type": "paragraph"}',
            '[{"type": "picture"}]',
            '[{"type": "paragraph", "text": 5, "level": 0}]',
            '[{"type": "paragraph"}]',
            '[{"type": "table", "columns": [{"title": "金额", "kind": "钱"}], "rows": []}]',
            '[{"type": "table", "columns": 7}]',
        ],
    )
    def test_anything_else_is_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            notice_body.body_from_json(text)

    def test_the_audit_text_names_each_table_without_copying_it(self) -> None:
        text = notice_body.body_audit_text(BODY)
        lines = text.splitlines()
        assert lines[:2] == [BODY[0].text, "一、公示对象"]
        assert lines[2].startswith("【表1：户主姓名、身份证号、保障人数、月补助金额；2行，带合计；内容校验码")
        assert FULL_ID not in text
        changed = (
            *BODY[:2],
            replace(LIST_TABLE, rows=(("王建国", FULL_ID, "3", "1200"), *LIST_TABLE.rows[1:])),
        )
        assert notice_body.body_audit_text(changed) != text  # a changed cell still shows as a change


# --- storage --------------------------------------------------------------------------------------------
EVERYTHING = Notice(
    id=None,
    category=NoticeCategory.FINANCE,
    kind=NoticeKind.ANNOUNCEMENT,
    title="关于2026年11月财务收支的公告",
    body=BODY,
    attachments=("收支明细表", "银行对账单"),
    period_start=dt.date(2026, 12, 1),
    period_end=dt.date(2026, 12, 7),
    period_unit=PeriodUnit.WORKING_DAYS,
    period_rule="财务公开",
    objection="如有疑问，请向村务监督委员会反映。",
    show_phones=False,
    issuer="小大歹村村民委员会",
    issue_date=dt.date(2026, 12, 1),
    seal=SealPosition.NONE,
    letterhead=True,
    paper=PaperChoice.A3_LANDSCAPE,
    source="财务公开",
    status=NoticeStatus.POSTED,
    number="财务公告〔2026〕7号",
    year=2026,
    seq=7,
    issued_at=dt.datetime(2026, 12, 1, 8, 30, 15),
    issued_by="赵文书",
    pdf_sha256="ab" * 32,
    posted_on=dt.date(2026, 12, 2),
    taken_down_on=None,
    cancelled_reason="",
)


@pytest.mark.storage
class TestStorage:
    def test_a_notice_comes_back_as_it_was_saved(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            first = tx.save_notice(replace(EVERYTHING, status=NoticeStatus.ISSUED, number="", seq=None))
            saved = tx.save_notice(replace(EVERYTHING, supersedes=first.id))
        assert saved == replace(EVERYTHING, id=saved.id, supersedes=first.id, version=1)
        with office.storage.transaction() as tx:
            assert tx.get_notice(_id(saved)) == saved
            assert tx.get_notice(_id(first)).superseded_by is None

    def test_an_update_checks_and_bumps_the_version(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            saved = tx.save_notice(replace(EVERYTHING, status=NoticeStatus.DRAFT, number="", seq=None))
        with office.storage.transaction(CLERK) as tx:
            changed = tx.save_notice(replace(saved, title="改过的标题"))
        assert changed.version == 2
        with pytest.raises(ConflictError, match="赵文书"), office.storage.transaction(CLERK) as tx:
            tx.save_notice(replace(saved, title="过时的修改"))
        with office.storage.transaction() as tx:
            assert tx.get_notice(_id(saved)).title == "改过的标题"

    def test_storage_itself_refuses_to_change_an_issued_notices_content(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            saved = tx.save_notice(replace(EVERYTHING, posted_on=None, status=NoticeStatus.ISSUED))
        for change in ({"title": "改过的标题"}, {"body": ()}, {"number": "财务公告〔2026〕8号"}):
            with pytest.raises(ValidationError, match="已经发布"), office.storage.transaction(CLERK) as tx:
                tx.save_notice(replace(saved, **change))  # type: ignore[arg-type]
        # Its lifecycle goes on: posting and taking down change only their own fields.
        with office.storage.transaction(CLERK) as tx:
            on_board = tx.save_notice(
                replace(saved, status=NoticeStatus.POSTED, posted_on=dt.date(2026, 12, 2))
            )
        assert on_board.version == 2 and on_board.title == EVERYTHING.title

    def test_a_missing_notice_is_not_found(self, office: Office) -> None:
        with pytest.raises(NotFoundError, match="公示公告"), office.storage.transaction() as tx:
            tx.get_notice(NoticeId(999))

    def test_one_number_cannot_be_given_twice(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            tx.save_notice(EVERYTHING)
        with (
            pytest.raises(ConflictError, match="财务公告〔2026〕7号"),
            office.storage.transaction(CLERK) as tx,
        ):
            tx.save_notice(replace(EVERYTHING, title="另一份"))
        assert office.count("notices") == 1

    def test_numbers_count_per_category_and_year_and_a_rollback_gives_one_back(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            taken = [
                tx.next_notice_seq(NoticeCategory.VILLAGE, 2026),
                tx.next_notice_seq(NoticeCategory.VILLAGE, 2026),
                tx.next_notice_seq(NoticeCategory.FINANCE, 2026),
                tx.next_notice_seq(NoticeCategory.VILLAGE, 2027),
            ]
        assert taken == [1, 2, 1, 1]
        with pytest.raises(RuntimeError), office.storage.transaction(CLERK) as tx:
            assert tx.next_notice_seq(NoticeCategory.VILLAGE, 2026) == 3
            raise RuntimeError("the PDF could not be made")
        with office.storage.transaction(CLERK) as tx:
            assert tx.next_notice_seq(NoticeCategory.VILLAGE, 2026) == 3

    def test_a_pdf_is_stored_once(self, office: Office) -> None:
        with office.storage.transaction(CLERK) as tx:
            saved = tx.save_notice(EVERYTHING)
            assert tx.notice_pdf(_id(saved)) is None
            tx.store_notice_pdf(_id(saved), b"%PDF-1.4 first")
        with pytest.raises(ConflictError, match="不能替换"), office.storage.transaction(CLERK) as tx:
            tx.store_notice_pdf(_id(saved), b"%PDF-1.4 second")
        with office.storage.transaction() as tx:
            assert tx.notice_pdf(_id(saved)) == b"%PDF-1.4 first"

    def test_settings_default_until_saved_then_come_back(self, office: Office) -> None:
        with office.storage.transaction() as tx:
            assert tx.get_notice_settings() == NoticeSettings()
        mine = NoticeSettings(
            number_formats=((NoticeCategory.VILLAGE, "小大歹{类别}{种类}〔{年}〕{号}号"),),
            period_rules=(PeriodRule("低保", 7), PeriodRule("发展党员", 5, PeriodUnit.WORKING_DAYS)),
            cadences=((NoticeCategory.FINANCE, Cadence.QUARTERLY),),
            grace_days=8,
            holidays=(dt.date(2026, 10, 1), dt.date(2026, 10, 2)),
            extra_workdays=(dt.date(2026, 9, 27),),
            objection="有异议请找监委会。",
            fonts=((FontRole.BODY, "C:\\Windows\\Fonts\\simfang.ttf"),),
        )
        with office.storage.transaction(ADMIN) as tx:
            saved = tx.save_notice_settings(mine)
        assert saved == replace(mine, version=1)
        with office.storage.transaction(ADMIN) as tx:
            again = tx.save_notice_settings(replace(saved, grace_days=5))
            assert tx.get_notice_settings() == again
        with pytest.raises(ConflictError), office.storage.transaction(ADMIN) as tx:
            tx.save_notice_settings(replace(saved, grace_days=3))
        with pytest.raises(ConflictError), office.storage.transaction(ADMIN) as tx:
            tx.save_notice_settings(mine)  # a second first save

    def test_the_tables_are_counted_for_backup_previews(self, office: Office) -> None:
        issued = office.issued()
        office.notices.add_photo(_id(issued), "公开栏.jpg", b"\xff\xd8photo")
        with office.storage.transaction() as tx:
            counts = tx.record_counts()
        assert (counts["公示公告"], counts["张贴照片"], counts["公示意见"]) == (1, 1, 0)


@pytest.mark.storage
class TestTheList:
    def test_filters_by_category_status_year_and_text_newest_first(self, office: Office) -> None:
        office.clock.now = dt.datetime(2025, 12, 20, 10, 0)
        old_draft = office.draft("关于2025年冬季取暖补助的公示")
        carried = office.draft("关于2025年低保调整的公示")
        office.clock.now = dt.datetime(2026, 1, 5, 9, 0)
        issued_2026 = office.notices.issue(_id(carried), carried.version)  # created 2025, issued 2026
        backdated = office.issued("关于2025年度党员评议的公示", category=NoticeCategory.PARTY,
                                  issue_date=dt.date(2025, 12, 31))  # fmt: skip
        office.clock.now = dt.datetime(2026, 1, 6, 9, 0)
        finance = office.draft("2025年12月财务收支公开", NoticeCategory.FINANCE, NoticeKind.DISCLOSURE)

        def ids(query: NoticeFilter) -> list[NoticeId | None]:
            return [s.id for s in office.notices.notices(query)]

        assert ids(NoticeFilter()) == [finance.id, backdated.id, issued_2026.id, old_draft.id]
        assert ids(NoticeFilter(year=2025)) == [backdated.id, old_draft.id]
        assert ids(NoticeFilter(year=2026)) == [finance.id, issued_2026.id]
        assert ids(NoticeFilter(year=2024)) == []
        assert ids(NoticeFilter(category=NoticeCategory.VILLAGE)) == [issued_2026.id, old_draft.id]
        assert ids(NoticeFilter(status=NoticeStatus.DRAFT)) == [finance.id, old_draft.id]
        assert ids(NoticeFilter(category=NoticeCategory.VILLAGE, status=NoticeStatus.ISSUED, year=2026)) == [
            issued_2026.id
        ]
        assert backdated.number == "党务公示〔2025〕1号"
        assert ids(NoticeFilter(text="〔2025〕1号")) == [backdated.id]
        assert ids(NoticeFilter(text="低保")) == [issued_2026.id]
        assert ids(NoticeFilter(text="  取暖 ")) == [old_draft.id]

    def test_wildcards_typed_in_the_search_are_plain_characters(self, office: Office) -> None:
        percent = office.draft("完成率100%的项目公示")
        office.draft("完成率1000元的项目公示")
        underscore = office.draft("关于A_B组的公示")
        office.draft("关于AXB组的公示")
        assert [s.id for s in office.notices.notices(NoticeFilter(text="100%"))] == [percent.id]
        assert [s.id for s in office.notices.notices(NoticeFilter(text="A_B"))] == [underscore.id]
        assert [s.id for s in office.notices.notices(NoticeFilter(text="%"))] == [percent.id]

    def test_a_line_shows_photos_and_unanswered_feedback(self, office: Office) -> None:
        notice = office.issued()
        other = office.issued("关于2026年危房改造对象的公示")
        office.notices.add_photo(_id(notice), "公开栏1.jpg", b"\xff\xd8one")
        office.notices.add_photo(_id(notice), "公开栏2.jpg", b"\xff\xd8two")
        for content, answer in (("人数有误", ""), ("何时发放", "12月10日前发放")):
            office.notices.save_feedback(
                NoticeFeedback(
                    id=None,
                    notice_id=_id(notice),
                    received_on=dt.date(2026, 12, 1),
                    kind=FeedbackKind.ENQUIRY,
                    from_whom="张海",
                    content=content,
                    answer=answer,
                    answered_on=dt.date(2026, 12, 2) if answer else None,
                )
            )
        lines = {s.id: s for s in office.notices.notices()}
        assert (lines[_id(notice)].photos, lines[_id(notice)].feedback_open) == (2, 1)
        assert (lines[_id(other)].photos, lines[_id(other)].feedback_open) == (0, 0)
        summary = lines[_id(notice)]
        assert (summary.number, summary.status, summary.pdf_sha256) == (
            "村务公示〔2026〕1号",
            NoticeStatus.ISSUED,
            notice.pdf_sha256,
        )

    def test_the_list_and_the_photo_list_never_read_a_pdf_photo_or_body(self, office: Office) -> None:
        notice = office.issued()
        office.notices.add_photo(_id(notice), "公开栏.jpg", b"\xff\xd8" + b"x" * 5000)
        statements: list[str] = []

        def capture(conn: object, cursor: object, statement: str, *args: object) -> None:
            statements.append(statement)

        sa.event.listen(office.storage.engine, "before_cursor_execute", capture)
        try:
            office.notices.notices()
            photos = office.notices.photos(_id(notice))
        finally:
            sa.event.remove(office.storage.engine, "before_cursor_execute", capture)
        assert statements
        assert not [s for s in statements if "notice_pdfs" in s or ".data" in s or "notices.body" in s]
        assert [(p.filename, p.size) for p in photos] == [("公开栏.jpg", 5002)]
        assert office.notices.photo_data(photos[0].id) == b"\xff\xd8" + b"x" * 5000  # type: ignore[arg-type]


# --- the service end to end ------------------------------------------------------------------------------
@pytest.mark.storage
class TestIssuing:
    def test_a_draft_is_issued_with_its_number_and_a_frozen_pdf(self, office: Office) -> None:
        draft = office.draft()
        assert (draft.status, draft.number, draft.version) == (NoticeStatus.DRAFT, "", 1)

        issued = office.notices.issue(_id(draft), draft.version)

        assert issued.status is NoticeStatus.ISSUED
        assert (issued.number, issued.year, issued.seq) == ("村务公示〔2026〕1号", 2026, 1)
        assert (issued.issue_date, issued.issued_at, issued.issued_by) == (NOW.date(), NOW, "赵文书")
        with office.storage.transaction() as tx:
            stored = tx.notice_pdf(_id(issued))
            assert tx.get_notice(_id(issued)) == issued
        assert stored is not None and hashlib.sha256(stored).hexdigest() == issued.pdf_sha256
        assert office.notices.pdf(_id(issued)) == stored
        assert office.notices.verify(_id(issued))
        text = pdf_text(stored)
        for expected in (
            "村务公示〔2026〕1号",
            "关于2026年低保对象的公示",
            "王建国",
            MASKED_ID,
            "2026年11月30日",
        ):
            assert expected in text
        assert FULL_ID not in text

    def test_the_same_notice_renders_to_the_same_bytes(self, office: Office) -> None:
        issued = office.issued()
        with office.storage.transaction() as tx:
            notice, settings, profile = tx.get_notice(_id(issued)), tx.get_notice_settings(), tx.get_profile()
        assert profile is not None
        assert render(notice, profile, settings).pdf == render(notice, profile, settings).pdf

    def test_an_issued_notice_refuses_edits(self, office: Office) -> None:
        issued = office.issued()
        with pytest.raises(ValidationError, match="已经发布"):
            office.notices.save_draft(replace(issued, title="偷偷改标题"))
        # Not even by pretending to be a draft: the stored notice decides.
        with pytest.raises(ValidationError, match="已经发布"):
            office.notices.save_draft(replace(issued, status=NoticeStatus.DRAFT, title="偷偷改标题"))
        with pytest.raises(ValidationError, match="已经发布"):
            office.notices.cancel_draft(_id(issued), issued.version, "不要了")
        with pytest.raises(ValidationError, match="已经发布"):
            office.notices.issue(_id(issued), issued.version)
        assert office.notices.notice(_id(issued)) == issued
        with pytest.raises(ConflictError), office.storage.transaction(CLERK) as tx:
            tx.store_notice_pdf(_id(issued), b"%PDF another")
        assert office.notices.verify(_id(issued))

    def test_an_incomplete_draft_is_kept_but_not_issued(self, office: Office) -> None:
        draft = office.notices.save_draft(
            office.notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于某事的公示")
        )
        with pytest.raises(ValidationError) as caught:
            office.notices.issue(_id(draft), draft.version)
        assert "正文是空的" in str(caught.value)
        with office.storage.transaction(CLERK) as tx:
            assert tx.next_notice_seq(NoticeCategory.VILLAGE, 2026) == 1  # no number was used

    def test_a_failed_issue_uses_no_number_and_leaves_no_trace(self, office: Office) -> None:
        draft = office.draft()
        head = office.head()

        def broken(*args: object, **kwargs: object) -> RenderedNotice:
            raise OSError("打印组件出错")

        with pytest.raises(OSError):
            office.service(office.storage, CLERK, broken).issue(_id(draft), draft.version)

        assert office.notices.notice(_id(draft)) == draft
        assert office.head() == head
        assert office.count("notice_pdfs") == 0
        issued = office.notices.issue(_id(draft), draft.version)
        assert issued.number == "村务公示〔2026〕1号"

    def test_a_stale_version_is_not_issued(self, office: Office) -> None:
        draft = office.draft()
        office.notices.save_draft(replace(draft, title="关于2026年低保对象的公示（修订）"))
        with pytest.raises(ConflictError):
            office.notices.issue(_id(draft), draft.version)
        assert office.count("notice_pdfs") == 0

    def test_posting_and_taking_down(self, office: Office) -> None:
        issued = office.issued()
        posted = office.notices.record_posting(_id(issued), issued.version, dt.date(2026, 11, 30))
        assert (posted.status, posted.posted_on) == (NoticeStatus.POSTED, dt.date(2026, 11, 30))
        down = office.notices.take_down(_id(posted), posted.version, dt.date(2026, 12, 7))
        assert (down.status, down.taken_down_on) == (NoticeStatus.TAKEN_DOWN, dt.date(2026, 12, 7))
        with pytest.raises(ValidationError, match="撤下"):
            office.notices.take_down(_id(down), down.version, dt.date(2026, 12, 8))
        assert office.notices.verify(_id(down))  # the PDF is untouched by the lifecycle
        last = office.entries("公示公告")[-2:]
        assert [(e.action, _changes(e)) for e in last] == [
            ("修改", {"status": ("已发布", "已张贴"), "posted_on": ("", "2026-11-30")}),
            ("修改", {"status": ("已张贴", "已撤下"), "taken_down_on": ("", "2026-12-07")}),
        ]

    def test_a_cancelled_draft_stays_with_its_reason(self, office: Office) -> None:
        draft = office.draft("关于召开党员大会的通知", NoticeCategory.PARTY, NoticeKind.NOTIFICATION)
        with pytest.raises(ValidationError, match="原因"):
            office.notices.cancel_draft(_id(draft), draft.version, "  ")
        cancelled = office.notices.cancel_draft(_id(draft), draft.version, "会议改期")
        assert (cancelled.status, cancelled.cancelled_reason) == (NoticeStatus.CANCELLED, "会议改期")
        assert [s.status for s in office.notices.notices()] == [NoticeStatus.CANCELLED]
        with pytest.raises(ValidationError, match="作废"):
            office.notices.save_draft(replace(cancelled, title="复活"))
        entry = office.entries("公示公告")[-1]
        assert (entry.action, entry.record_id) == ("撤销", draft.id)
        assert _changes(entry) == {"status": ("草稿", "已作废"), "cancelled_reason": ("", "会议改期")}
        assert office.count("notices") == 1

    def test_a_correction_supersedes_the_original_and_both_stay(self, office: Office) -> None:
        original = office.issued()
        office.clock.now += dt.timedelta(days=3)
        correction = office.notices.start_correction(_id(original))
        assert (correction.status, correction.supersedes, correction.title) == (
            NoticeStatus.DRAFT,
            original.id,
            "更正：关于2026年低保对象的公示",
        )
        # Its own period, as long as the original's, from the day it was started.
        assert original.period_start is not None and original.period_end is not None
        assert correction.period_start == office.clock.now.date()
        assert correction.period_end is not None
        assert correction.period_end - correction.period_start == original.period_end - original.period_start
        issued = office.notices.issue(_id(correction), correction.version)

        assert issued.number == "村务公示〔2026〕2号"
        old = office.notices.notice(_id(original))
        assert old.superseded_by == issued.id and old.status is NoticeStatus.ISSUED
        assert office.notices.verify(_id(original)) and office.notices.verify(_id(issued))
        lines = {s.id: s for s in office.notices.notices()}
        assert lines[_id(original)].superseded_by == issued.id
        assert lines[_id(issued)].supersedes == original.id
        assert "村务公示〔2026〕1号" in pdf_text(office.notices.pdf(_id(issued)))
        with pytest.raises(ValidationError, match="更正过"):
            office.notices.start_correction(_id(original))

    def test_a_second_correction_issued_later_is_refused_whole(self, office: Office) -> None:
        original = office.issued()
        first = office.notices.start_correction(_id(original))
        second = office.notices.start_correction(_id(original))  # both drafted before either is issued
        office.notices.issue(_id(first), first.version)
        head = office.head()
        with pytest.raises(ValidationError, match="已经被另一份公告更正过"):
            office.notices.issue(_id(second), second.version)
        assert office.notices.notice(_id(second)).status is NoticeStatus.DRAFT
        assert office.head() == head
        with office.storage.transaction(CLERK) as tx:
            assert tx.next_notice_seq(NoticeCategory.VILLAGE, 2026) == 3  # number 3 was given back

    def test_numbers_run_per_category_and_year_without_gaps(self, office: Office) -> None:
        numbers = [office.issued(f"村务第{n}号").number for n in range(1, 4)]
        numbers += [
            office.issued(f"财务第{n}号", category=NoticeCategory.FINANCE, kind=NoticeKind.DISCLOSURE).number
            for n in range(1, 3)
        ]
        numbers.append(office.issued("去年的", issue_date=dt.date(2025, 12, 31)).number)
        numbers.append(office.issued("村务第4号").number)
        assert numbers == [
            "村务公示〔2026〕1号",
            "村务公示〔2026〕2号",
            "村务公示〔2026〕3号",
            "财务公开〔2026〕1号",
            "财务公开〔2026〕2号",
            "村务公示〔2025〕1号",
            "村务公示〔2026〕4号",
        ]

    def test_the_number_format_comes_from_the_settings(self, office: Office) -> None:
        admin = office.service(office.storage, ADMIN)
        settings = admin.settings()
        admin.save_settings(
            replace(settings, number_formats=((NoticeCategory.VILLAGE, "小大歹村{种类}〔{年}〕{号}号"),))
        )
        assert office.issued().number == "小大歹村公示〔2026〕1号"

    def test_two_clerks_issuing_at_once_get_consecutive_numbers(
        self, office: Office, storage_url: str
    ) -> None:
        drafts = [office.draft(f"关于第{n}批对象的公示") for n in range(10)]

        def slow(*args: object, **kwargs: object) -> RenderedNotice:
            time.sleep(0.02)  # widens the window in which the two would collide
            return render(*args, **kwargs)  # type: ignore[arg-type]

        second = open_storage(storage_url)
        try:
            services = [
                office.service(office.storage, CLERK, slow),
                office.service(SqlStorage(second.engine, second.location, office.clock), CLERK_2, slow),
            ]
            start = threading.Barrier(2)
            errors: list[BaseException] = []

            def issue_half(n: int) -> None:
                try:
                    start.wait()
                    for draft in drafts[n::2]:
                        services[n].issue(_id(draft), draft.version)
                except BaseException as error:  # reported below
                    errors.append(error)

            threads = [threading.Thread(target=issue_half, args=(n,)) for n in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        finally:
            second.close()
        assert errors == []
        issued = [office.notices.notice(_id(d)) for d in drafts]
        assert sorted(n.seq or 0 for n in issued) == list(range(1, 11))
        assert all(n.number == f"村务公示〔2026〕{n.seq}号" for n in issued)
        assert all(office.notices.verify(_id(n)) for n in issued)
        assert {n.issued_by for n in issued} == {"赵文书", "钱文书"}
        assert AuditService(office.storage, Access(ADMIN)).verify().ok

    def test_the_audit_trail_has_the_whole_story(self, office: Office) -> None:
        draft = office.draft()
        edited = office.notices.save_draft(
            replace(draft, body=(*BODY[:2], replace(LIST_TABLE, rows=LIST_TABLE.rows[:1])))
        )
        issued = office.notices.issue(_id(edited), edited.version)

        created, changed, numbered, published = office.entries("公示公告")
        assert (created.action, created.summary, created.user_name) == ("新建", draft.title, "赵文书")
        fields = _changes(created)
        assert fields["category"] == ("", "村务") and fields["notice_kind"] == ("", "公示")
        assert fields["body_text"][1].startswith(BODY[0].text)
        assert "body" not in fields and "kind" not in fields  # JSON and clashing names stay out
        assert changed.action == "修改" and list(_changes(changed)) == ["body_text"]
        old, new = _changes(changed)["body_text"]
        assert "2行" in old and "1行" in new
        assert FieldChange("body_text", old, new).label == "正文"
        assert numbered.action == "修改"
        assert _changes(numbered)["number"] == ("", "村务公示〔2026〕1号")
        assert (published.action, published.record_id, published.summary) == (
            "发布",
            issued.id,
            "村务公示〔2026〕1号 关于2026年低保对象的公示",
        )
        assert _changes(published) == {"pdf_sha256": ("", issued.pdf_sha256)}
        assert [c.label for c in numbered.changes if c.field == "pdf_sha256"] == ["PDF校验值"]


@pytest.mark.storage
class TestPhotosAndFeedback:
    def test_board_photos_are_kept_with_who_added_them(self, office: Office) -> None:
        draft = office.draft()
        with pytest.raises(ValidationError, match="已发布"):
            office.notices.add_photo(_id(draft), "早了.jpg", b"\xff\xd8")
        issued = office.notices.issue(_id(draft), draft.version)
        with pytest.raises(ValidationError, match="空文件"):
            office.notices.add_photo(_id(issued), "空.jpg", b"")
        photo = office.notices.add_photo(
            _id(issued), "公开栏20261130.jpg", b"\xff\xd8board", dt.date(2026, 11, 30), " 村委会门口 "
        )
        assert photo == NoticePhoto(
            id=photo.id,
            notice_id=_id(issued),
            filename="公开栏20261130.jpg",
            taken_on=dt.date(2026, 11, 30),
            note="村委会门口",
            added_by="赵文书",
            size=7,
        )
        assert office.notices.photos(_id(issued)) == [photo]
        assert office.notices.photo_data(photo.id) == b"\xff\xd8board"  # type: ignore[arg-type]
        entry = office.entries("张贴照片")[-1]
        assert (entry.action, entry.summary) == ("新建", "村务公示〔2026〕1号 公开栏20261130.jpg")
        assert _changes(entry)["filename"] == ("", "公开栏20261130.jpg")
        assert "data" not in _changes(entry)
        with pytest.raises(NotFoundError, match="张贴照片"):
            office.notices.photo_data(NoticePhotoId(999))

    def test_posting_with_photos_keeps_all_of_it_or_nothing(self, office: Office) -> None:
        issued = office.issued()
        good = PhotoUpload("公开栏.jpg", b"\xff\xd8board")
        with pytest.raises(ValidationError, match="空文件"):
            office.notices.record_posting(
                _id(issued), issued.version, dt.date(2026, 11, 30), [good, PhotoUpload("坏.jpg", b"")]
            )
        assert office.notices.notice(_id(issued)).posted_on is None
        assert office.notices.photos(_id(issued)) == []
        posted = office.notices.record_posting(_id(issued), issued.version, dt.date(2026, 11, 30), [good])
        assert posted.posted_on == dt.date(2026, 11, 30)
        assert [p.filename for p in office.notices.photos(_id(issued))] == ["公开栏.jpg"]
        # Several photos later: one transaction too.
        added = office.notices.add_photos(
            _id(issued), [PhotoUpload("近景.jpg", b"1"), PhotoUpload("远景.jpg", b"2")]
        )
        assert [p.filename for p in added] == ["近景.jpg", "远景.jpg"]

    def test_objections_are_logged_and_answered(self, office: Office) -> None:
        issued = office.issued()
        supervisor = office.service(office.storage, SUPERVISOR)
        logged = supervisor.save_feedback(
            NoticeFeedback(
                id=None,
                notice_id=_id(issued),
                received_on=dt.date(2026, 12, 1),
                kind=FeedbackKind.OBJECTION,
                from_whom=" 张海 ",
                content="李秀英家的保障人数有误。",
            )
        )
        assert (logged.version, logged.from_whom, logged.answer) == (1, "张海", "")
        with pytest.raises(ValidationError, match="答复日期"):
            office.notices.save_feedback(replace(logged, answer="已核实"))
        answered = office.notices.save_feedback(
            replace(logged, answer="经核实，已发更正公示。", answered_on=dt.date(2026, 12, 2))
        )
        assert (answered.version, answered.answered_by) == (2, "赵文书")
        with pytest.raises(ConflictError):
            supervisor.save_feedback(replace(logged, content="改了内容"))
        assert office.notices.feedback(_id(issued)) == [answered]
        created, replied = office.entries("公示意见")
        assert (created.action, created.user_name, created.summary) == (
            "新建",
            "孙监督",
            "村务公示〔2026〕1号 张海异议",
        )
        assert replied.action == "修改"
        assert _changes(replied)["answer"] == ("", "经核实，已发更正公示。")

    def test_a_draft_takes_no_feedback(self, office: Office) -> None:
        draft = office.draft()
        with pytest.raises(ValidationError, match="还没有发布"):
            office.notices.save_feedback(
                NoticeFeedback(None, _id(draft), dt.date(2026, 12, 1), FeedbackKind.ENQUIRY, "", "何时公示？")
            )


@pytest.mark.storage
class TestPermissions:
    def test_a_reader_reads_but_cannot_draft_or_issue(self, office: Office) -> None:
        issued = office.issued()
        draft = office.draft("另一份")
        reader = office.service(office.storage, READER)
        head = office.head()
        assert [s.id for s in reader.notices()] == [draft.id, issued.id]
        assert reader.verify(_id(issued))
        for refused in (
            lambda: reader.save_draft(replace(draft, title="读者改的")),
            lambda: reader.issue(_id(draft), draft.version),
            lambda: reader.cancel_draft(_id(draft), draft.version, "读者作废"),
            lambda: reader.internal_pdf(_id(issued)),
            lambda: reader.add_photo(_id(issued), "x.jpg", b"\xff"),
            lambda: reader.archive(2026),
            lambda: reader.save_settings(NoticeSettings(grace_days=3)),
            lambda: reader.save_feedback(
                NoticeFeedback(None, _id(issued), dt.date(2026, 12, 1), FeedbackKind.ENQUIRY, "", "问")
            ),
        ):
            with pytest.raises(AccessDeniedError):
                refused()
        assert office.head() == head

    def test_the_supervisor_logs_feedback_but_issues_nothing(self, office: Office) -> None:
        issued = office.issued()
        supervisor = office.service(office.storage, SUPERVISOR)
        supervisor.save_feedback(
            NoticeFeedback(None, _id(issued), dt.date(2026, 12, 1), FeedbackKind.OBJECTION, "张海", "有误")
        )
        with pytest.raises(AccessDeniedError, match="发布公示"):
            supervisor.save_draft(
                office.notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.NOTIFICATION, "x")
            )
        with pytest.raises(AccessDeniedError, match="记录监督意见"):
            office.service(office.storage, ACCOUNTANT).save_feedback(
                NoticeFeedback(
                    None, _id(issued), dt.date(2026, 12, 1), FeedbackKind.OBJECTION, "张海", "有误"
                )
            )

    def test_only_the_settings_permission_changes_the_settings(self, office: Office) -> None:
        with pytest.raises(AccessDeniedError, match="修改本村信息和设置"):
            office.notices.save_settings(replace(office.notices.settings(), grace_days=3))
        admin = office.service(office.storage, ADMIN)
        saved = admin.save_settings(
            replace(
                admin.settings(),
                grace_days=3,
                period_rules=(PeriodRule("低保", 7), PeriodRule("一般公示", 3)),
            )
        )
        assert saved.version == 1
        entry = office.entries("公示设置")[-1]
        assert (entry.action, entry.user_name) == ("修改设置", "王书记")
        fields = _changes(entry)
        assert fields["grace_days"] == ("", "3")
        assert fields["period_rules"] == ("", "低保7天、一般公示3天")
        assert fields["number_formats"][1].startswith("党务：{类别}{种类}〔{年}〕{号}号；村务：")
        assert all("[" not in new for _, new in fields.values())  # words, not JSON
        again = admin.save_settings(replace(saved, grace_days=4))
        assert _changes(office.entries("公示设置")[-1]) == {"grace_days": ("3", "4")}
        with pytest.raises(ValidationError, match="公示期限"):
            admin.save_settings(replace(again, period_rules=()))

    def test_an_internal_print_shows_full_values_and_is_audited(self, office: Office) -> None:
        issued = office.issued()
        head = office.head()
        internal = office.notices.internal_pdf(_id(issued))
        text = pdf_text(internal)
        assert FULL_ID in text and "内部资料" in text
        public = pdf_text(office.notices.pdf(_id(issued)))
        assert FULL_ID not in public and MASKED_ID in public and "内部资料" not in public
        (entry,) = office.entries(action=AuditAction.PRINT)
        assert entry.seq == head + 1
        assert (entry.record_type, entry.record_id, entry.user_name) == ("公示公告", issued.id, "赵文书")
        assert "内部资料" in entry.summary
        with pytest.raises(AccessDeniedError):
            office.service(office.storage, SUPERVISOR).internal_pdf(_id(issued))

    def test_a_print_for_the_board_is_logged(self, office: Office) -> None:
        issued = office.issued()
        office.service(office.storage, READER).record_print([_id(issued)], copies=2)
        (entry,) = office.entries(action=AuditAction.PRINT)
        assert entry.summary == "村务公示〔2026〕1号 关于2026年低保对象的公示，2份，打印机"


@pytest.mark.storage
class TestDisclosure:
    def test_what_is_due_per_category(self, office: Office) -> None:
        office.clock.now = dt.datetime(2026, 10, 8, 9, 0)
        office.issued("2026年9月财务收支公开", category=NoticeCategory.FINANCE, kind=NoticeKind.DISCLOSURE)
        office.clock.now = dt.datetime(2026, 11, 2, 9, 0)
        office.issued("关于第四季度村务的公开", kind=NoticeKind.DISCLOSURE)
        office.draft("党务草稿", NoticeCategory.PARTY, NoticeKind.DISCLOSURE)  # drafts do not count
        office.clock.now = dt.datetime(2026, 12, 15, 9, 0)

        due = {d.category: d for d in office.notices.disclosure()}

        assert due[NoticeCategory.VILLAGE].state is DueState.OK
        assert due[NoticeCategory.VILLAGE].last_issued == dt.date(2026, 11, 2)
        finance = due[NoticeCategory.FINANCE]
        # September's went up on October 8th (within the grace); October's and November's never did.
        assert finance.state is DueState.OVERDUE
        assert [p.label for p in finance.overdue] == ["2026年11月", "2026年10月"]
        assert finance.current.label == "2026年12月" and finance.due_by == dt.date(2027, 1, 10)
        party = due[NoticeCategory.PARTY]
        assert party.state is DueState.DUE and party.last_issued is None
        assert party.current.label == "2026年第4季度"

    def test_first_notice_date_is_the_earliest_created_or_issued(self, office: Office) -> None:
        with office.storage.transaction() as tx:
            assert tx.first_notice_date() is None and tx.notice_issue_dates() == []
        office.clock.now = dt.datetime(2026, 11, 20, 9, 0)
        office.draft("草稿")
        office.clock.now = dt.datetime(2026, 11, 25, 9, 0)
        office.issued("补登的", issue_date=dt.date(2026, 11, 3))
        with office.storage.transaction() as tx:
            assert tx.first_notice_date() == dt.date(2026, 11, 3)
            assert tx.notice_issue_dates() == [(NoticeCategory.VILLAGE, dt.date(2026, 11, 3))]


# --- the archive ----------------------------------------------------------------------------------------
def _year_of_notices(office: Office) -> list[Notice]:
    """Two village notices (one corrected), a finance one, a draft and a notice of the next year."""
    first = office.issued("关于2026年低保对象的公示")
    finance = office.issued(
        "2026年11月财务收支公开", category=NoticeCategory.FINANCE, kind=NoticeKind.DISCLOSURE
    )
    correction = office.notices.start_correction(_id(first))
    corrected = office.notices.issue(_id(correction), correction.version)
    office.draft("还没发布的草稿")
    office.issued("明年的", issue_date=dt.date(2027, 1, 4))
    return [office.notices.notice(_id(first)), corrected, finance]


@pytest.mark.storage
class TestArchive:
    def test_a_year_is_every_issued_notice_with_its_pdf_in_order(self, office: Office) -> None:
        expected = _year_of_notices(office)
        archive = office.notices.archive(2026)
        assert [n for n, _ in archive] == expected
        assert all(hashlib.sha256(data).hexdigest() == n.pdf_sha256 for n, data in archive)
        entry = office.entries(action=AuditAction.EXPORT)[-1]
        assert (entry.record_type, entry.summary) == ("公示公告", "2026年公示公告档案，3份")

    def test_exported_to_a_folder_of_pdfs_with_an_index(self, office: Office, tmp_path: Path) -> None:
        expected = _year_of_notices(office)
        folder = tmp_path / "档案"
        written = office.notices.export_archive(2026, folder)

        names = [p.name for p in written]
        assert names == [
            "村务公示〔2026〕1号 关于2026年低保对象的公示.pdf",
            "村务公示〔2026〕2号 更正：关于2026年低保对象的公示.pdf",
            "财务公开〔2026〕1号 2026年11月财务收支公开.pdf",
            "2026年公示公告目录.xlsx",
        ]
        for notice, path in zip(expected, written, strict=False):
            assert hashlib.sha256(path.read_bytes()).hexdigest() == notice.pdf_sha256
        sheet = load_workbook(written[-1]).active
        assert sheet is not None
        assert sheet["A1"].value == "2026年公示公告档案目录（共3份）"
        assert [c.value for c in sheet[2]] == [title for title, _ in NOTICE_INDEX_COLUMNS]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
        assert [r[0] for r in rows] == [n.number for n in expected]
        assert rows[0][1:4] == ["村务", "公示", "关于2026年低保对象的公示"]
        assert rows[0][4] == dt.datetime(2026, 11, 30)  # a real date in Excel
        assert rows[0][5] == "2026年11月30日至2026年12月6日"
        assert rows[0][8] == "已被村务公示〔2026〕2号更正"
        assert rows[1][8] == "更正村务公示〔2026〕1号"
        assert [r[9] for r in rows] == [n.pdf_sha256 for n in expected]
        assert [r[10] for r in rows] == names[:3]

        # Exporting again never overwrites what is there.
        again = office.notices.export_archive(2026, folder)
        assert again[0].name == "村务公示〔2026〕1号 关于2026年低保对象的公示(2).pdf"
        assert again[-1].name == "2026年公示公告目录(2).xlsx"

    def test_exported_as_one_combined_pdf(self, office: Office, tmp_path: Path) -> None:
        expected = _year_of_notices(office)
        written = office.notices.export_archive(2026, tmp_path, combined=True)
        assert [p.name for p in written] == ["2026年公示公告档案.pdf", "2026年公示公告目录.xlsx"]
        combined = written[0].read_bytes()
        pages = [page_count(office.notices.pdf(_id(n))) for n in expected]
        assert page_count(combined) == sum(pages)
        text = pdf_text(combined)
        positions = [text.index(n.number) for n in expected]
        assert positions == sorted(positions)

    def test_a_year_without_notices_exports_nothing(self, office: Office, tmp_path: Path) -> None:
        office.draft()
        with pytest.raises(ValidationError, match="2026年没有已发布的公示公告"):
            office.notices.export_archive(2026, tmp_path / "空")
        assert not (tmp_path / "空").exists()

    def test_a_tampered_pdf_is_found(self, office: Office, tmp_path: Path) -> None:
        issued = office.issued()
        other = office.issued("关于2026年危房改造对象的公示")
        stored = office.notices.pdf(_id(issued))
        forged = stored + b"\n% changed after issuing\n"
        with office.storage.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE notice_pdfs SET data = :data WHERE notice_id = :id"),
                {"data": forged, "id": issued.id},
            )
        assert not office.notices.verify(_id(issued))
        assert office.notices.verify(_id(other))
        with pytest.raises(ValidationError, match="校验值不一致"):
            office.notices.pdf(_id(issued))
        with pytest.raises(ValidationError, match="导出已停止"):
            office.notices.export_archive(2026, tmp_path / "导出")
        assert not (tmp_path / "导出").exists()

    def test_a_lost_pdf_is_found_too(self, office: Office) -> None:
        issued = office.issued()
        with office.storage.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM notice_pdfs WHERE notice_id = :id"), {"id": issued.id})
        assert not office.notices.verify(_id(issued))


@pytest.mark.storage
def test_a_full_copy_keeps_pdfs_and_photos_byte_for_byte(
    office: Office, storage_url: str, tmp_path: Path
) -> None:
    # PostgreSQL's copy for the office PC is a SQLite file (db.backup): bytea becomes BLOB unchanged.
    from db.backup import SqlBackupStore
    from village_desk.services import OfficeService
    from village_desk.services.backup import BackupService

    first = office.issued()
    correction = office.notices.start_correction(_id(first))
    second = office.notices.issue(_id(correction), correction.version)
    photo = bytes(range(256)) * 40
    office.notices.add_photo(_id(first), "公开栏.jpg", photo)
    machine = Access(MACHINE)
    store = SqlBackupStore(storage_url)
    store.attach(office.storage)
    target = tmp_path / "副本.sqlite3"
    try:
        BackupService(
            office.storage, machine, store, OfficeService(office.storage, machine), tmp_path
        ).export_copy(target)
    finally:
        store.close()
    copy = open_storage(sqlite_url(target))
    try:
        reader = NoticeService(copy, Access(READER), render)
        assert reader.notices() == office.notices.notices()
        assert reader.verify(_id(first)) and reader.verify(_id(second))
        assert reader.notice(_id(first)).superseded_by == second.id
        (kept,) = reader.photos(_id(first))
        assert kept.id is not None and reader.photo_data(kept.id) == photo
    finally:
        copy.close()


# --- the composition root and backups (SQLite files) ------------------------------------------------------
@pytest.fixture
def app_ctx(tmp_path: Path) -> Iterator[Callable[[Path], object]]:
    from village_desk.context import AppContext

    opened: list[AppContext] = []

    def make(path: Path) -> AppContext:
        ctx = open_context(
            sqlite_url(path), tmp_path / "data", tmp_path / "logs", demo=False, allow_demo_switch=False
        )
        ctx.access.sign_in(MACHINE)
        opened.append(ctx)
        return ctx

    (tmp_path / "data").mkdir()
    yield make
    for ctx in opened:
        ctx.close()


def test_the_app_wires_the_notice_service(app_ctx: Callable[[Path], object], tmp_path: Path) -> None:
    from village_desk.context import AppContext

    ctx = app_ctx(tmp_path / "village.sqlite3")
    assert isinstance(ctx, AppContext)
    ctx.village.set_up(PROFILE, 1)
    ctx.access.sign_in(CLERK)
    draft = ctx.notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于某事的公示")
    assert draft.issuer == "小大歹村村民委员会"
    saved = ctx.notices.save_draft(replace(draft, body=BODY))
    assert [s.id for s in ctx.notices.notices()] == [saved.id]
    # The renderer, the index writer and the PDF joiner come through the composition root.
    preview = ctx.notices.preview(saved)
    assert preview.pages >= 1 and "关于某事的公示" in pdf_text(preview.pdf)
    issued = ctx.notices.issue(_id(saved), saved.version)
    written = ctx.notices.export_archive(issued.year or 0, tmp_path / "档案", combined=True)
    assert [p.suffix for p in written] == [".pdf", ".xlsx"]
    assert issued.number in pdf_text(written[0].read_bytes())
    assert load_workbook(written[1]).active["A3"].value == issued.number  # type: ignore[index]


def test_a_backup_and_restore_keep_the_issued_pdfs(app_ctx: Callable[[Path], object], tmp_path: Path) -> None:
    from village_desk.context import AppContext

    live = tmp_path / "village.sqlite3"
    ctx = app_ctx(live)
    assert isinstance(ctx, AppContext)
    ctx.village.set_up(PROFILE, 1)
    ctx.open()
    storage = ctx.storage.open()
    assert isinstance(storage, SqlStorage)
    clerk = NoticeService(storage, Access(CLERK), render, Clock(NOW))
    kept = clerk.save_draft(
        replace(clerk.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于低保的公示"), body=BODY)
    )
    kept = clerk.issue(_id(kept), kept.version)
    clerk.add_photo(_id(kept), "公开栏.jpg", b"\xff\xd8photo")

    made = ctx.backups.backup_now()
    assert ctx.backups.inspect(made.path).counts["公示公告"] == 1
    later = clerk.save_draft(
        replace(clerk.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "备份之后的公示"), body=BODY)
    )
    clerk.issue(_id(later), later.version)
    ctx.backups.restore(made.path)

    ctx.access.sign_in(CLERK)
    assert [s.number for s in ctx.notices.notices()] == ["村务公示〔2026〕1号"]
    assert ctx.notices.verify(_id(kept))
    assert hashlib.sha256(ctx.notices.pdf(_id(kept))).hexdigest() == kept.pdf_sha256
    assert ctx.notices.photo_data(ctx.notices.photos(_id(kept))[0].id) == b"\xff\xd8photo"  # type: ignore[arg-type]
    # The number issued after the backup is free again: no gap in the restored database.
    again = clerk.save_draft(
        replace(clerk.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "恢复之后的公示"), body=BODY)
    )
    assert clerk.issue(_id(again), again.version).number == "村务公示〔2026〕2号"
