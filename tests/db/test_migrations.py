"""What opening a database does to its schema.

New databases are created by the migrations; databases from every released
schema upgrade to head with their data; an upgrade backs up first and, if it
fails, leaves the original as it was; a database from a newer 村务通 is
refused without a byte changed; the models and the migrations describe the
same schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import SqlStorage, open_storage, sqlite_url
from db.engine import make_engine, parse_url
from db.migrate import MIGRATIONS_DIR, prepare_database, read_sqlite_state, script_head
from db.models import Base
from db.schema_version import HEAD_REVISION
from tests.db.filesystem import read_only
from tests.db.fixtures import make_fixture_0002 as FIXTURE_0002
from tests.db.fixtures import make_fixture_0003 as FIXTURE_0003
from tests.db.fixtures import make_fixture_0004 as FIXTURE_0004
from tests.db.fixtures import make_fixture_0005 as FIXTURE_0005
from village_desk.accounts import MACHINE, Access, Actor, Role
from village_desk.audit import GENESIS_HASH, ChainReport
from village_desk.cases import CaseStatus, MeasureKind
from village_desk.errors import DatabaseTooNewError, MigrationError, StorageError
from village_desk.ids import HouseholdId, PersonId, UserId
from village_desk.ledger import (
    AccountId,
    AccountTotals,
    AuxItemId,
    AuxKind,
    Book,
    BookGrant,
    BookId,
    Correction,
    LedgerQuery,
    OpeningBalance,
    Period,
    Voucher,
    VoucherFileId,
    VoucherFilter,
    VoucherId,
    VoucherLine,
    VoucherStatus,
)
from village_desk.monitoring import Health, HousingLevel, SchoolStage
from village_desk.notices import (
    Cadence,
    ColumnKind,
    FeedbackKind,
    FontRole,
    NoticeCategory,
    NoticeFilter,
    NoticeId,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    Paragraph,
    PeriodRule,
    PeriodUnit,
    RenderedNotice,
)
from village_desk.register import (
    POOR_CATEGORIES,
    DisabilityCategory,
    HouseholdFile,
    Loan,
    RegisterColumn,
    RegisterFilter,
    RegisterPage,
    RegisterSettings,
    Resident,
    ResidentStatus,
)
from village_desk.roster import Body, KinshipKind, PartyStatus, Person
from village_desk.services import AccountService, AuditService, OfficeService, RosterService, VillageService
from village_desk.services.notices import NoticeService

FIXTURES = Path(__file__).with_name("fixtures")
RELEASED_SCHEMAS = sorted(FIXTURES.glob("schema_*.sqlite3"))
NEXT = "9999"  # a revision after head, written by the tests below
REPO_ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "village_profile",
    "village_groups",
    "people",
    "posts",
    "party_members",
    "households",
    "representatives",
    "representative_households",
    "kinships",
    "users",
    "office_settings",
    "audit_log",
    "audit_head",
    "notices",
    "notice_pdfs",
    "notice_photos",
    "notice_feedback",
    "notice_counters",
    "notice_settings",
    "household_files",
    "residents",
    "incomes",
    "monitoring_cases",
    "measures",
    "visits",
    "benefits",
    "register_settings",
    "register_index",
    "ledger_book",
    "ledger_account",
    "ledger_aux_item",
    "ledger_opening",
    "ledger_voucher",
    "ledger_voucher_line",
    "ledger_month_total",
    "ledger_voucher_file",
    "ledger_bank_line",
}


def _revisions(url: str) -> set[str]:
    engine = sa.create_engine(parse_url(url))
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scripts_with(tmp_path: Path, name: str, body: str) -> Path:
    """Our migration scripts plus one more revision after head, in a temp script directory."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    header = f'''
        """A test revision."""

        import sqlalchemy as sa
        from alembic import op

        revision = "{name}"
        down_revision = "{HEAD_REVISION}"
        branch_labels = None
        depends_on = None

    '''
    (scripts / "versions" / f"{name}_test.py").write_text(
        textwrap.dedent(header) + textwrap.dedent(body), encoding="utf-8"
    )
    return scripts


ADD_A_COLUMN = """
    def upgrade():
        with op.batch_alter_table("people") as batch:
            batch.add_column(sa.Column("nickname", sa.String(), nullable=False, server_default=""))


    def downgrade():
        with op.batch_alter_table("people") as batch:
            batch.drop_column("nickname")
"""

FAIL_HALFWAY = """
    def upgrade():
        op.create_table("upgrade_trace", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("UPDATE people SET name = 'overwritten'")
        op.execute("SELECT * FROM no_such_table")


    def downgrade():
        pass
"""

# Commits what it did so far before failing (as a careless script could): only the
# backup can undo that.
COMMIT_THEN_FAIL = """
    def upgrade():
        op.execute("UPDATE people SET name = 'overwritten'")
        op.execute("COMMIT")
        op.create_table("upgrade_trace", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("SELECT * FROM no_such_table")


    def downgrade():
        pass
"""


@pytest.fixture
def released_0001(tmp_path: Path) -> Path:
    """A copy of the fixture database written by schema 0001, to upgrade."""
    path = tmp_path / "village.sqlite3"
    shutil.copyfile(FIXTURES / "schema_0001.sqlite3", path)
    return path


def _people_names(url: str) -> list[str]:
    engine = sa.create_engine(parse_url(url))
    try:
        with engine.connect() as connection:
            return list(connection.scalars(sa.text("SELECT name FROM people ORDER BY id")))
    finally:
        engine.dispose()


def _fill_at_head(url: str) -> None:
    storage = open_storage(url)
    try:
        engine = storage.engine
        with engine.begin() as connection:
            for n, name in enumerate(("王建国", "李秀英"), start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO people (id, name, gender, ethnicity, id_number, phone, knows_accounting,"
                        " note, version) VALUES (:id, :name, '男', '汉族', '', '', false, '', 1)"
                    ),
                    {"id": n, "name": name},
                )
    finally:
        storage.close()


class TestScripts:
    def test_head_revision_constant_is_the_scripts_head(self) -> None:
        assert script_head() == HEAD_REVISION

    def test_there_is_a_fixture_for_the_head_schema(self) -> None:
        # Releasing a new revision means keeping a database written by it (see make_fixture.py).
        assert FIXTURES / f"schema_{HEAD_REVISION}.sqlite3" in RELEASED_SCHEMAS

    @pytest.mark.parametrize("fixture", RELEASED_SCHEMAS, ids=lambda p: p.stem)
    def test_the_fixture_is_one_self_contained_file_at_its_revision(self, fixture: Path) -> None:
        state = read_sqlite_state(fixture)
        assert state.revisions == {fixture.stem.removeprefix("schema_")} and state.has_tables
        connection = sqlite3.connect(f"{fixture.as_uri()}?mode=ro", uri=True)
        try:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        finally:
            connection.close()


@pytest.mark.storage
class TestNewDatabase:
    def test_is_created_by_the_migrations_and_stamped(self, storage_url: str) -> None:
        open_storage(storage_url).close()
        assert _revisions(storage_url) == {HEAD_REVISION}
        engine = sa.create_engine(parse_url(storage_url))
        try:
            with engine.connect() as connection:
                assert set(sa.inspect(connection).get_table_names()) >= TABLES
        finally:
            engine.dispose()

    def test_models_and_migrations_do_not_drift(self, storage_url: str) -> None:
        open_storage(storage_url).close()
        engine = sa.create_engine(parse_url(storage_url))
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, Base.metadata) == []
        finally:
            engine.dispose()

    def test_opening_again_changes_nothing(self, storage_url: str) -> None:
        _fill_at_head(storage_url)
        open_storage(storage_url).close()
        assert _revisions(storage_url) == {HEAD_REVISION}
        assert _people_names(storage_url) == ["王建国", "李秀英"]


class TestFastPath:
    def test_opening_a_database_at_head_does_not_import_alembic(self, sqlite_file: Path) -> None:
        open_storage(sqlite_url(sqlite_file)).close()
        code = textwrap.dedent(
            f"""
            import sys
            import db
            db.open_storage({sqlite_url(sqlite_file)!r}).close()
            assert "alembic" not in sys.modules, "alembic imported on the fast path"
            """
        )
        subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


class TestReleasedSchemas:
    @pytest.mark.parametrize("fixture", RELEASED_SCHEMAS, ids=lambda p: p.stem)
    def test_upgrades_to_head_with_its_data(self, fixture: Path, tmp_path: Path) -> None:
        path = tmp_path / "village.sqlite3"
        shutil.copyfile(fixture, path)
        storage = open_storage(sqlite_url(path))
        try:
            with storage.transaction(MACHINE) as tx:
                profile = tx.get_profile()
                groups = tx.list_groups()
                people = tx.list_people()
                posts = tx.list_posts()
                members = tx.list_party_members()
                households = tx.list_households()
                reps = tx.list_representatives()
                kinships = tx.list_kinships()
        finally:
            storage.close()
        assert read_sqlite_state(path).revisions == {HEAD_REVISION}

        assert profile is not None
        assert (profile.name, profile.county_kind, profile.version) == ("小大歹", "旗", 3)
        assert [(g.number, g.closed_reason) for g in groups] == [(1, ""), (2, "并入第一村民小组"), (3, "")]
        assert [p.name for p in people] == ["王建国", "李秀英", "张海", "刘梅"]
        assert people[1].knows_accounting and people[1].ethnicity == "蒙古族"
        assert people[3].group_id is None
        assert [(p.body, p.role) for p in posts] == [
            (Body.PARTY, "书记"),
            (Body.COMMITTEE, "主任"),
            (Body.SUPERVISION, "主任"),
            (Body.COMMITTEE, "委员"),
        ]
        assert posts[3].left_on == dt.date(2021, 4, 30) and posts[3].left_reason == "换届"
        assert [m.status for m in members] == [PartyStatus.FULL, PartyStatus.PROBATIONARY]
        assert [h.number for h in households] == ["0101", "0102", "0301"]
        assert households[2].closed_reason == "全户迁出"
        assert [(r.households, r.version) for r in reps] == [((HouseholdId(2), HouseholdId(1)), 2)]
        assert [(k.kind, k.ended_reason) for k in kinships] == [
            (KinshipKind.SPOUSE, ""),
            (KinshipKind.SIBLING, "登记有误"),
        ]


def _released_copy(name: str, tmp_path: Path) -> Path:
    path = tmp_path / "village.sqlite3"
    shutil.copyfile(FIXTURES / name, path)
    return path


class TestReleasedAccountsAndAuditTrail:
    """Schema 0002 brought accounts, settings and the hash-chained log: they survive every upgrade."""

    def test_a_0001_database_has_no_accounts_and_an_empty_whole_log(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0001.sqlite3", tmp_path)))
        try:
            access = Access(MACHINE)
            assert not AccountService(storage, access).has_users()
            assert AuditService(storage, access).verify() == ChainReport(0)
            # Records from before the log saved unchanged: still nothing to log, still whole.
            village = VillageService(storage, access)
            village.save_group(village.groups()[0])
            assert AuditService(storage, access).verify().ok
            # The first change starts the chain at 1.
            VillageService(storage, access).save_group(replace(village.groups()[0], note="河西"))
            assert [e.seq for e in AuditService(storage, access).entries()] == [1]
            assert AuditService(storage, access).verify() == ChainReport(1)
        finally:
            storage.close()

    def test_the_0002_database_keeps_accounts_settings_and_a_whole_chain(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0002.sqlite3", tmp_path)))
        try:
            access = Access(MACHINE)
            users = AccountService(storage, access).users()
            settings = OfficeService(storage, access).settings()
            audit = AuditService(storage, access)
            report = audit.verify()
            entries = audit.entries()
            names = audit.usernames()
        finally:
            storage.close()
        assert [(u.username, u.display_name, u.roles, u.closed_reason) for u in users] == [
            ("admin", "王书记", (Role.ADMIN,), ""),
            ("wenshu", "赵文书", (Role.CLERK,), ""),
            ("jiandu", "孙监督", (Role.SUPERVISOR,), ""),
            ("kuaiji", "李会计", (Role.ACCOUNTANT, Role.CASHIER), "调离"),
        ]
        assert [(u.must_change_password, u.failed_logins) for u in users] == [
            (False, 0),
            (False, 2),
            (True, 0),
            (True, 0),
        ]
        assert (settings.idle_lock_minutes, settings.backup_dir, settings.version) == (
            20,
            "D:\\村务通备份",
            2,
        )
        assert report == ChainReport(len(FIXTURE_0002.AUDIT))
        assert [e.seq for e in entries] == list(range(len(FIXTURE_0002.AUDIT), 0, -1))
        assert entries[-1].at == dt.datetime(2026, 11, 20, 8, 55, 1) and entries[-1].user_id is None
        assert [(c.label, c.old, c.new) for c in entries[4].changes] == [
            ("电话", "", "13904751234"),
            ("身份证号码", "", "150523197003150012"),
        ]
        assert ("zhangsan", "（未知用户）") in names and ("本机", MACHINE.display_name) in names

    def test_the_0002_chain_continues_after_opening(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0002.sqlite3", tmp_path)))
        try:
            access = Access()
            user = AccountService(storage, access).login("wenshu", FIXTURE_0002.PASSWORD)
            assert user.failed_logins == 0  # the two failures before are cleared
            RosterService(storage, access).save_person(Person(id=None, name="新来的"))
            entries = AuditService(storage, Access(MACHINE)).entries(limit=2)
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()
        count = len(FIXTURE_0002.AUDIT)
        assert [(e.seq, e.action, e.username) for e in entries] == [
            (count + 2, "新建", "wenshu"),
            (count + 1, "登录", "wenshu"),
        ]
        assert report == ChainReport(count + 2)

    def test_the_0002_chain_survives_a_later_upgrade(self, tmp_path: Path) -> None:
        path = _released_copy("schema_0002.sqlite3", tmp_path)
        scripts = _scripts_with(tmp_path, NEXT, ADD_A_COLUMN)
        url = parse_url(sqlite_url(path))
        engine = make_engine(url)
        try:
            prepare_database(url, engine, script_location=scripts, head=NEXT)
            storage = SqlStorage(engine, str(path))
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            engine.dispose()
        assert read_sqlite_state(path).revisions == {NEXT}
        assert report == ChainReport(len(FIXTURE_0002.AUDIT))

    def test_the_fixture_chain_is_built_as_storage_builds_it(self) -> None:
        # The builder's rows, hashed again through the reader storage uses.
        rows = FIXTURE_0002.chain_rows()
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0][10] == GENESIS_HASH
        assert all(later[10] == earlier[11] for earlier, later in itertools.pairwise(rows))


CLERK = Actor(UserId(2), "wenshu", "赵文书", frozenset({Role.CLERK}))


def _one_page(notice: object, village: object, settings: object, *, internal: bool = False) -> RenderedNotice:
    # What is drawn does not matter here, only that it is numbered and stored.
    return RenderedNotice(b"%PDF-1.4 " + str(getattr(notice, "number", "")).encode(), 1, "A4纵向")


class TestReleasedNotices:
    """Schema 0003 brought notices: a 0002 database starts them empty, a 0003 one keeps them whole."""

    def test_a_0002_database_starts_with_no_notices_and_numbers_from_1(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0002.sqlite3", tmp_path)))
        try:
            clock = lambda: dt.datetime(2026, 12, 1, 9, 0)  # noqa: E731
            notices = NoticeService(storage, Access(CLERK), _one_page, clock)
            assert notices.notices() == []
            assert notices.settings() == NoticeSettings()
            with storage.transaction() as tx:
                assert tx.first_notice_date() is None
                assert {k: v for k, v in tx.record_counts().items() if k in ("公示公告", "张贴照片")} == {
                    "公示公告": 0,
                    "张贴照片": 0,
                }
            draft = notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于低保对象的公示")
            assert draft.issuer == "小大歹村村民委员会"  # from the 0001 profile
            saved = notices.save_draft(replace(draft, body=(Paragraph("拟确定以下农户为低保对象。"),)))
            assert saved.id is not None
            issued = notices.issue(saved.id, saved.version)
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()
        assert issued.number == "村务公示〔2026〕1号"
        # The chain of 0002 goes on: the draft, the number and PDF, the 发布 entry.
        assert report == ChainReport(len(FIXTURE_0002.AUDIT) + 3)

    def test_the_0003_database_keeps_notices_pdfs_photos_feedback_and_settings(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0003.sqlite3", tmp_path)))
        try:
            clock = lambda: dt.datetime(2026, 12, 10, 9, 0)  # noqa: E731
            notices = NoticeService(storage, Access(CLERK), _one_page, clock)
            listed = notices.notices()
            first, correction = notices.notice(NoticeId(1)), notices.notice(NoticeId(3))
            verified = [notices.verify(NoticeId(n)) for n in (1, 3)]
            photos = notices.photos(NoticeId(1))
            photo = notices.photo_data(photos[0].id) if photos and photos[0].id is not None else b""
            feedback = notices.feedback(NoticeId(1)) + notices.feedback(NoticeId(3))
            settings = notices.settings()
            in_2026 = [
                s.id for s in notices.notices(NoticeFilter(year=2026, category=NoticeCategory.VILLAGE))
            ]
            report = AuditService(storage, Access(MACHINE)).verify()
            # The next village notice of 2026 follows the two issued under 0003.
            draft = notices.save_draft(
                replace(
                    notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于危房改造的公示"),
                    body=(Paragraph("拟确定以下农户为危房改造对象。"),),
                )
            )
            assert draft.id is not None
            next_number = notices.issue(draft.id, draft.version).number
        finally:
            storage.close()

        assert [(s.id, s.status, s.number) for s in listed] == [
            (2, NoticeStatus.DRAFT, ""),
            (3, NoticeStatus.ISSUED, FIXTURE_0003.NUMBER_2),
            (4, NoticeStatus.CANCELLED, ""),
            (1, NoticeStatus.TAKEN_DOWN, FIXTURE_0003.NUMBER_1),
        ]
        assert [(s.photos, s.feedback_open) for s in listed] == [(0, 0), (0, 1), (0, 0), (1, 0)]
        assert (first.title, first.superseded_by, correction.supersedes) == (FIXTURE_0003.TITLE_1, 3, 1)
        assert (first.posted_on, first.taken_down_on) == (dt.date(2026, 12, 1), dt.date(2026, 12, 8))
        assert first.issued_at == dt.datetime(2026, 12, 1, 9, 30)
        assert first.attachments == ("低保申请审批表",)
        paragraph, heading, table = first.body
        assert paragraph == Paragraph(
            "经农户申请、村民代表会议评议，拟确定以下农户为2026年低保对象，现予公示。"
        )
        assert heading == Paragraph("一、公示对象", 1)
        assert isinstance(table, NoticeTable) and table.totals
        assert [c.kind for c in table.columns] == [
            ColumnKind.TEXT,
            ColumnKind.ID_NUMBER,
            ColumnKind.NUMBER,
            ColumnKind.MONEY,
        ]
        assert table.rows[0] == ("王建国", "150523197003150012", "3", "1,260.00")
        assert correction.body[1:] == first.body
        assert verified == [True, True]
        assert [(p.filename, p.size) for p in photos] == [("公开栏20261201.jpg", len(FIXTURE_0003.PHOTO))]
        assert photo == FIXTURE_0003.PHOTO
        assert [(f.kind, f.from_whom, f.answered_on) for f in feedback] == [
            (FeedbackKind.OBJECTION, "张海", dt.date(2026, 12, 4)),
            (FeedbackKind.ENQUIRY, "", None),
        ]
        assert settings.number_format(NoticeCategory.VILLAGE) == "小大歹{类别}{种类}〔{年}〕{号}号"
        assert settings.period_rule("项目公示") == PeriodRule("项目公示", 10)
        assert settings.period_rule("发展党员").unit is PeriodUnit.WORKING_DAYS
        assert settings.cadence(NoticeCategory.FINANCE) is Cadence.MONTHLY
        assert (settings.grace_days, settings.version) == (8, 2)
        assert settings.holidays == (dt.date(2026, 10, 1), dt.date(2026, 10, 2))
        assert settings.extra_workdays == (dt.date(2026, 9, 27),)
        assert settings.font(FontRole.BODY) == "C:\\Windows\\Fonts\\simfang.ttf"
        assert in_2026 == [3, 1]
        assert report == ChainReport(len(FIXTURE_0003.AUDIT))
        assert next_number == "小大歹村务公示〔2026〕3号"

    def test_the_0003_pdfs_are_real_and_carry_their_numbers(self) -> None:
        from pypdf import PdfReader

        for data, number in (
            (FIXTURE_0003.PDF_1, FIXTURE_0003.NUMBER_1),
            (FIXTURE_0003.PDF_2, FIXTURE_0003.NUMBER_2),
        ):
            text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
            assert number in text

    def test_the_0003_fixture_chain_continues_the_0002_chain(self) -> None:
        rows = FIXTURE_0003.chain_rows()
        assert rows[: len(FIXTURE_0002.AUDIT)] == FIXTURE_0002.chain_rows()
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert all(later[10] == earlier[11] for earlier, later in itertools.pairwise(rows))


class TestReleasedRegister:
    """Schema 0004 brought the register: a 0003 database starts it empty, a 0004 one keeps it to the 分."""

    def test_a_0003_database_starts_with_an_empty_register(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0003.sqlite3", tmp_path)))
        try:
            with storage.transaction() as tx:
                assert tx.get_register_settings() == RegisterSettings()
                assert tx.list_household_files() == [] and tx.list_residents() == []
                assert tx.register_page(RegisterFilter(include_closed=True)) == RegisterPage(0, ())
                counts = tx.record_counts()
                assert tx.get_household(HouseholdId(1)).number == "0101"
            assert {k: counts[k] for k in ("农户档案", "家庭成员", "监测对象", "农户")} == {
                "农户档案": 0,
                "家庭成员": 0,
                "监测对象": 0,
                "农户": 3,
            }
            # The roster's households get their files; the chain of 0003 goes on.
            with storage.transaction(CLERK) as tx:
                tx.save_household_file(HouseholdFile(HouseholdId(1), category="脱贫户", ewes=12))
                tx.save_resident(Resident(PersonId(1), HouseholdId(1)))
            with storage.transaction() as tx:
                indicators = tx.register_indicators(50, 20, POOR_CATEGORIES)
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()
        assert (indicators.ewes, indicators.poor_people, indicators.poor_sheep) == (12, 1, 12)
        assert report == ChainReport(len(FIXTURE_0003.AUDIT) + 2)

    def test_the_0004_database_keeps_the_register_to_the_cent(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0004.sqlite3", tmp_path)))
        try:
            with storage.transaction() as tx:
                file = tx.get_household_file(HouseholdId(1))
                residents = tx.list_residents()
                incomes = tx.list_incomes(HouseholdId(2))
                cases = tx.list_cases()
                measures = tx.list_measures(HouseholdId(2))
                visits = tx.list_visits(HouseholdId(2))
                benefits = tx.list_benefits()
                settings = tx.get_register_settings()
                page = tx.register_page(RegisterFilter(include_closed=True, sort=RegisterColumn.PER_PERSON))
                indicators = tx.register_indicators(50, 20, POOR_CATEGORIES)
                history = tx.record_history([("收入", 1), ("帮扶措施", 3), ("家庭成员", 3)])
                counts = tx.record_counts()
            with storage.transaction(CLERK) as tx:
                income = tx.save_income(replace(incomes[1], assets=Decimal("150.25")))
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()

        assert file is not None
        assert (file.category, file.housing_area, file.housing_level) == (
            "脱贫户",
            Decimal("85.5"),
            HousingLevel.B,
        )
        assert (file.land_contracted, file.land_out, file.land_farmed) == (
            Decimal("32.5"),
            Decimal(5),
            Decimal("27.5"),
        )
        assert (file.sheep, file.cattle, file.beet_area, file.safe_water) == (80, 7, Decimal(12), True)
        assert file.loans == (Loan("扶贫小额信贷", Decimal(50000), "农商银行", dt.date(2027, 6, 30)),)
        assert [(r.person_id, r.household_id, r.relation, r.status) for r in residents] == [
            (1, 1, "户主", ResidentStatus.IN),
            (2, 2, "户主", ResidentStatus.IN),
            (3, 3, "户主", ResidentStatus.MOVED_OUT),
            (4, 1, "儿媳", ResidentStatus.IN),
        ]
        assert residents[1].disability_category is DisabilityCategory.PHYSICAL
        assert residents[3].school_stage is SchoolStage.VOCATIONAL and residents[3].health is Health.SERIOUS
        assert residents[2].status_on == dt.date(2026, 3, 1)
        assert [(i.year, i.medical_costs, i.as_income_year().net) for i in incomes] == [
            (2024, Decimal(3000), Decimal(10200)),
            (2025, Decimal(12500), Decimal("8160.00")),
        ]
        assert [(c.id, c.status, c.risk_types) for c in cases] == [
            (1, CaseStatus.MONITORING, ("因病", "缺劳动力")),
            (2, CaseStatus.REJECTED, ("因病",)),
        ]
        assert [(m.kind, m.amount, m.cancelled_reason) for m in measures] == [
            (MeasureKind.HEALTH, None, ""),
            (MeasureKind.INDUSTRY, Decimal(7500), ""),
            (MeasureKind.INDUSTRY, Decimal(7500), "录入重复"),
        ]
        assert [v.next_on for v in visits] == [dt.date(2026, 8, 20), None]
        assert [(b.kind, b.amount, b.person_id) for b in benefits] == [
            ("低保金", Decimal("1260"), None),
            ("雨露计划", Decimal(1500), 4),
            ("临时救助", Decimal(2000), 2),
        ]
        assert settings.monitoring.line_for(2026) == Decimal(6900)
        assert (settings.targets.sheep_households, settings.rain_and_dew, settings.version) == (
            20,
            Decimal(1500),
            2,
        )
        assert [(line.number, line.per_person) for line in page.lines] == [
            ("0102", Decimal("8160")),
            ("0101", Decimal("20550.25")),
            ("0301", None),
        ]
        assert [line.risks for line in page.lines] == [("收入大幅下降", "医疗支出大"), ("医疗支出大",), ()]
        assert (page.lines[0].case_status, page.lines[0].next_visit) == ("监测帮扶中", dt.date(2026, 9, 20))
        assert [line.closed for line in page.lines] == [False, False, True]
        # Households 1 and 2 are open: 0101 脱贫户 (2 in) and 0102 边缘易致贫户 (1 in).
        assert (indicators.sheep_households, indicators.ewes, indicators.poor_people) == (1, 68, 3)
        assert (indicators.poor_sheep, indicators.beet_area) == (88, Decimal(12))
        assert [(e.record_type, e.record_id) for e in history] == [
            ("家庭成员", 3),
            ("帮扶措施", 3),
            ("收入", 1),
        ]
        assert {
            k: counts[k] for k in ("农户档案", "家庭成员", "收入", "监测对象", "帮扶措施", "补助发放")
        } == {
            "农户档案": 3,
            "家庭成员": 4,
            "收入": 3,
            "监测对象": 2,
            "帮扶措施": 3,
            "补助发放": 3,
        }
        assert (income.assets, income.version) == (Decimal("150.25"), 2)
        assert report == ChainReport(len(FIXTURE_0004.AUDIT) + 1)

    def test_the_0004_fixture_chain_continues_the_0003_chain(self) -> None:
        rows = FIXTURE_0004.chain_rows()
        assert rows[: len(FIXTURE_0003.AUDIT)] == FIXTURE_0003.chain_rows()
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert all(later[10] == earlier[11] for earlier, later in itertools.pairwise(rows))


ACCOUNTANT = Actor(UserId(4), "kuaiji", "李会计", frozenset({Role.ACCOUNTANT}))


class TestReleasedLedger:
    """Schema 0005 brought the collective's books: a 0004 database starts with none, a 0005 one keeps
    every figure to the 分 and goes on numbering and posting."""

    def test_a_0004_database_starts_with_no_books(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0004.sqlite3", tmp_path)))
        try:
            with storage.transaction() as tx:
                assert tx.list_books() == []
                counts = tx.record_counts()
            assert (counts["账套"], counts["记账凭证"]) == (0, 0)
            with storage.transaction(ACCOUNTANT) as tx:
                book = tx.save_book(Book(None, "小大歹村股份经济合作社", "001", Period(2027, 1)))
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()
        assert (book.id, book.version) == (1, 1)
        assert report == ChainReport(len(FIXTURE_0004.AUDIT) + 1)

    def test_the_0005_database_keeps_the_books_to_the_cent(self, tmp_path: Path) -> None:
        storage = open_storage(sqlite_url(_released_copy("schema_0005.sqlite3", tmp_path)))
        book_id = BookId(1)
        try:
            with storage.transaction() as tx:
                book = tx.get_book(book_id)
                accounts = tx.list_accounts(book_id)
                items = tx.list_aux_items(book_id, AuxKind.PARTY)
                openings = tx.list_openings(book_id)
                listed = tx.list_vouchers(VoucherFilter(book_id))
                first = tx.get_voucher(VoucherId(1))
                red = tx.get_voucher(VoucherId(5))
                corrections = tx.corrections_of(VoucherId(2))
                numbers = tx.voucher_numbers(book_id, Period(2026, 2))
                totals = tx.account_totals(book_id, Period(2026, 2), Period(2026, 12))
                cash = tx.ledger_page(LedgerQuery(book_id, "101", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
                used = tx.used_accounts(book_id)
                suggestions = tx.summary_suggestions(book_id, "王建国")
                files = tx.list_voucher_files(VoucherId(1))
                file_data = tx.voucher_file_data(VoucherFileId(1))
                bank = tx.list_bank_lines(book_id, AccountId(3), dt.date(2026, 1, 1), dt.date(2026, 1, 31))
                counts = tx.record_counts()
            with storage.transaction(ACCOUNTANT) as tx:
                tx.lock_book(book_id)
                number = tx.next_voucher_number(book_id, "收", Period(2026, 2))
                posted = tx.save_voucher(
                    Voucher(
                        None,
                        book_id,
                        "收",
                        dt.date(2026, 2, 20),
                        (
                            VoucherLine("收零星收入", AccountId(1), debit=Decimal("12.34")),
                            VoucherLine("收零星收入", AccountId(8), credit=Decimal("12.34")),
                        ),
                        number=number,
                        status=VoucherStatus.POSTED,
                    )
                )
            with storage.transaction() as tx:
                after = {
                    t.account_id: t for t in tx.account_totals(book_id, Period(2026, 2), Period(2026, 2))
                }
            report = AuditService(storage, Access(MACHINE)).verify()
        finally:
            storage.close()

        assert (book.name, book.code, book.start, book.closed_through) == (
            "小大歹村股份经济合作社",
            "001",
            Period(2026, 1),
            Period(2026, 1),
        )
        assert [t.code for t in book.voucher_types] == ["收", "付", "转"]
        assert book.grants == (BookGrant(UserId(4), (Role.ACCOUNTANT, Role.CASHIER)),)
        assert (book.income_target, book.lines_per_form, book.version) == (Decimal(30000), 5, 3)
        assert [a.code for a in accounts] == [
            "101",
            "102",
            "10201",
            "112",
            "11201",
            "301",
            "321",
            "501",
            "50101",
            "513",
        ]
        assert accounts[4].aux is AuxKind.PARTY and accounts[6].disabled_reason == "停用测试"
        assert [(i.name, i.household_id) for i in items] == [("王建国", 1)]
        assert openings == [
            OpeningBalance(AccountId(1), Decimal("1500.00")),
            OpeningBalance(AccountId(3), Decimal("80000.25")),
            OpeningBalance(AccountId(5), Decimal("300.00"), AuxItemId(1)),
            OpeningBalance(AccountId(6), Decimal("-81800.25")),
        ]
        assert [(s.type_code, s.number, s.status) for s in listed] == [
            ("收", 1, VoucherStatus.POSTED),
            ("付", 1, VoucherStatus.POSTED),
            ("收", 1, VoucherStatus.REVIEWED),
            ("收", 2, VoucherStatus.VOID),
            ("付", 1, VoucherStatus.POSTED),
        ]
        assert [(line.debit, line.credit) for line in first.lines] == [
            (Decimal("5000.05"), Decimal(0)),
            (Decimal(0), Decimal("5000.05")),
        ]
        assert (first.reviewed_at, first.attachments, first.version) == (dt.datetime(2026, 1, 6, 9, 0), 2, 3)
        assert (red.correction, red.corrects, red.lines[0].debit) == (Correction.RED, 2, Decimal("-30.00"))
        assert [c.id for c in corrections] == [5]
        assert numbers == {"付": [1], "收": [1, 2]}
        by_account = {t.account_id: t for t in totals}
        assert by_account[AccountId(1)] == AccountTotals(
            AccountId(1), Decimal("1470.00"), Decimal(0), Decimal(-30)
        )
        assert by_account[AccountId(3)].opening == Decimal("85000.30")
        assert by_account[AccountId(9)] == AccountTotals(AccountId(9), Decimal(30), Decimal(-30), Decimal(0))
        # The reviewed and the void vouchers are not posted: only the purchase and its red correction.
        assert cash.opening == Decimal(1500)
        assert [(e.voucher_label, e.credit, e.balance) for e in cash.entries] == [
            ("付-1", Decimal(30), Decimal(1470)),
            ("付-1", Decimal(-30), Decimal(1500)),
        ]
        assert used == {AccountId(i) for i in (1, 3, 5, 6, 8, 9)}
        assert suggestions == ["收回王建国欠款"]
        assert [(f.filename, f.size) for f in files] == [("承包合同.pdf", len(FIXTURE_0005.FILE_DATA))]
        assert file_data == FIXTURE_0005.FILE_DATA
        assert [(b.deposit, b.matched_voucher, b.matched_line) for b in bank] == [
            (Decimal("5000.05"), 1, 0),
            (Decimal("12.34"), None, None),
        ]
        assert (counts["账套"], counts["记账凭证"]) == (1, 5)
        assert (posted.number, posted.version) == (3, 1)
        assert after[AccountId(1)].debit == Decimal("12.34") and after[AccountId(8)].credit == Decimal(
            "12.34"
        )
        assert after[AccountId(1)].credit == Decimal(-30)
        assert report == ChainReport(len(FIXTURE_0005.AUDIT) + 1)

    def test_the_0005_fixture_chain_continues_the_0004_chain(self) -> None:
        rows = FIXTURE_0005.chain_rows()
        assert rows[: len(FIXTURE_0004.AUDIT)] == FIXTURE_0004.chain_rows()
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert all(later[10] == earlier[11] for earlier, later in itertools.pairwise(rows))


class TestUpgrade:
    def test_an_older_sqlite_database_is_backed_up_then_upgraded(
        self, released_0001: Path, tmp_path: Path
    ) -> None:
        scripts = _scripts_with(tmp_path, NEXT, ADD_A_COLUMN)
        original = _sha256(released_0001)
        url = parse_url(sqlite_url(released_0001))
        engine = make_engine(url)
        try:
            prepare_database(url, engine, script_location=scripts, head=NEXT)
        finally:
            engine.dispose()

        backups = list(released_0001.parent.glob("village.sqlite3.*.rev0001.bak"))
        assert len(backups) == 1
        stamp = backups[0].name.removeprefix("village.sqlite3.").removesuffix(".rev0001.bak")
        assert dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        # The backup is the database as it was: same revision, same rows.
        assert read_sqlite_state(backups[0]).revisions == {"0001"}
        assert _people_names(sqlite_url(backups[0])) == _people_names(
            sqlite_url(FIXTURES / "schema_0001.sqlite3")
        )
        assert _sha256(released_0001) != original
        assert read_sqlite_state(released_0001).revisions == {NEXT}
        assert _people_names(sqlite_url(released_0001)) == ["王建国", "李秀英", "张海", "刘梅"]

    @pytest.mark.storage
    def test_an_older_database_is_upgraded_in_place(self, storage_url: str, tmp_path: Path) -> None:
        _fill_at_head(storage_url)
        scripts = _scripts_with(tmp_path, NEXT, ADD_A_COLUMN)
        url = parse_url(storage_url)
        engine = make_engine(url)
        try:
            prepare_database(url, engine, script_location=scripts, head=NEXT)
            with engine.connect() as connection:
                columns = {c["name"] for c in sa.inspect(connection).get_columns("people")}
        finally:
            engine.dispose()
        assert "nickname" in columns
        assert _revisions(storage_url) == {NEXT}
        assert _people_names(storage_url) == ["王建国", "李秀英"]

    @pytest.mark.storage
    def test_a_failed_upgrade_changes_nothing_and_names_the_backup(
        self, storage_url: str, tmp_path: Path
    ) -> None:
        _fill_at_head(storage_url)
        scripts = _scripts_with(tmp_path, NEXT, FAIL_HALFWAY)
        url = parse_url(storage_url)
        engine = make_engine(url)
        try:
            with pytest.raises(MigrationError) as caught:
                prepare_database(url, engine, script_location=scripts, head=NEXT)
        finally:
            engine.dispose()

        error = caught.value
        assert "升级失败" in error.message and "没有任何改动" in error.message
        if url.get_backend_name() == "sqlite":
            assert error.backup_path is not None and Path(error.backup_path).is_file()
            assert error.backup_path in error.hint
        else:
            assert error.backup_path is None
        assert _revisions(storage_url) == {HEAD_REVISION}
        assert _people_names(storage_url) == ["王建国", "李秀英"]
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                assert "upgrade_trace" not in sa.inspect(connection).get_table_names()
        finally:
            engine.dispose()
        # And the database still opens with this version.
        open_storage(storage_url).close()

    def test_no_upgrade_without_a_backup(self, released_0001: Path, tmp_path: Path) -> None:
        # A folder where no backup can be written: the old file is left as it is.
        scripts = _scripts_with(tmp_path / "scripts", NEXT, ADD_A_COLUMN)
        before = _sha256(released_0001)
        url = parse_url(sqlite_url(released_0001))
        engine = make_engine(url)
        try:
            with read_only(released_0001.parent), pytest.raises(MigrationError) as caught:
                prepare_database(url, engine, script_location=scripts, head=NEXT)
        finally:
            engine.dispose()
        assert "备份没有做成" in caught.value.message and "没有任何改动" in caught.value.message
        assert "只读" in caught.value.hint
        assert caught.value.backup_path is None
        assert _sha256(released_0001) == before
        assert sorted(p.name for p in released_0001.parent.iterdir()) == ["scripts", "village.sqlite3"]

    def test_an_upgrade_that_committed_halfway_is_restored_from_the_backup(
        self, released_0001: Path, tmp_path: Path
    ) -> None:
        scripts = _scripts_with(tmp_path, NEXT, COMMIT_THEN_FAIL)
        url = parse_url(sqlite_url(released_0001))
        engine = make_engine(url)
        try:
            with pytest.raises(MigrationError) as caught:
                prepare_database(url, engine, script_location=scripts, head=NEXT)
        finally:
            engine.dispose()

        assert caught.value.backup_path is not None
        assert read_sqlite_state(released_0001).revisions == {"0001"}
        assert _people_names(sqlite_url(released_0001)) == ["王建国", "李秀英", "张海", "刘梅"]
        with sqlite3.connect(released_0001) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        assert "upgrade_trace" not in tables


class TestRefusals:
    @pytest.fixture
    def newer_sqlite(self, sqlite_file: Path) -> Iterator[Path]:
        _fill_at_head(sqlite_url(sqlite_file))
        connection = sqlite3.connect(sqlite_file)
        try:
            connection.execute("UPDATE alembic_version SET version_num = 'f00dcafe9999'")
            connection.commit()
        finally:
            connection.close()
        yield sqlite_file

    def test_a_database_from_a_newer_version_is_refused_untouched(self, newer_sqlite: Path) -> None:
        before = _sha256(newer_sqlite)
        with pytest.raises(DatabaseTooNewError) as caught:
            open_storage(sqlite_url(newer_sqlite))
        assert "更新版本的村务通" in caught.value.message
        assert "安装最新版本" in caught.value.hint
        assert _sha256(newer_sqlite) == before
        assert not list(newer_sqlite.parent.glob("*.bak"))

    def test_a_newer_rollback_journal_file_is_not_switched_to_wal(self, newer_sqlite: Path) -> None:
        connection = sqlite3.connect(newer_sqlite)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()
        before = _sha256(newer_sqlite)
        with pytest.raises(DatabaseTooNewError):
            open_storage(sqlite_url(newer_sqlite))
        assert _sha256(newer_sqlite) == before
        assert sorted(p.name for p in newer_sqlite.parent.iterdir()) == ["village.sqlite3"]

    @pytest.mark.storage
    def test_a_database_from_a_newer_version_is_refused(self, storage_url: str) -> None:
        _fill_at_head(storage_url)
        engine = sa.create_engine(parse_url(storage_url))
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dcafe9999'"))
        finally:
            engine.dispose()
        with pytest.raises(DatabaseTooNewError):
            open_storage(storage_url)
        assert _revisions(storage_url) == {"f00dcafe9999"}
        assert _people_names(storage_url) == ["王建国", "李秀英"]

    @pytest.mark.storage
    def test_a_database_of_another_program_is_refused(self, storage_url: str) -> None:
        engine = sa.create_engine(parse_url(storage_url))
        try:
            with engine.begin() as connection:
                connection.execute(sa.text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
        finally:
            engine.dispose()
        with pytest.raises(StorageError, match="不是村务通的数据库"):
            open_storage(storage_url)

    def test_a_file_that_is_not_a_database(self, sqlite_file: Path) -> None:
        sqlite_file.write_bytes("村务通 2026年工作计划\n".encode() * 200)
        before = _sha256(sqlite_file)
        with pytest.raises(StorageError) as caught:
            open_storage(sqlite_url(sqlite_file))
        assert "从备份恢复" in caught.value.hint
        assert _sha256(sqlite_file) == before
