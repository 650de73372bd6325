"""Every role against every protected service, on a real database.

The services check permissions themselves (the window only hides buttons).
For each role and each operation the table below says whether the role may
do it: a refused call raises ``AccessDeniedError`` and changes nothing (not
even the audit trail); an allowed call gets past the check (it may still be
refused for its input, which is a different error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from db import SqlStorage, open_storage, sqlite_url
from village_desk.accounts import (
    MACHINE,
    ROLE_PERMISSIONS,
    Access,
    Actor,
    Permission,
    Role,
    User,
    ensure_not_own,
)
from village_desk.errors import AccessDeniedError, VillageDeskError
from village_desk.ids import GroupId, KinshipId, PartyMemberId, PersonId, PostId, RepresentativeId, UserId
from village_desk.notices import Notice, NoticeCategory, NoticeId, NoticeKind, Paragraph
from village_desk.office import OfficeSettings
from village_desk.roster import (
    Body,
    Household,
    KinshipKind,
    PartyMember,
    PartyStatus,
    Person,
    Post,
    Representative,
)
from village_desk.services import (
    AccountService,
    AuditService,
    OfficeService,
    RosterService,
    VillageService,
)
from village_desk.services.notices import NoticeService
from village_desk.village import VillageGroup, VillageProfile

DAY = dt.date(2026, 11, 28)
PROFILE = VillageProfile(
    name="小大歹",
    kind="村",
    township="甘旗卡",
    township_kind="镇",
    county="科尔沁左翼后",
    county_kind="旗",
    city="通辽",
    city_kind="市",
    org_name="小大歹村股份经济合作社",
)
TERM = dt.date(2026, 4, 18)
NOW = dt.datetime(2026, 11, 28, 10, 0)
CLERK = Actor(UserId(800), "wenshu", "赵文书", frozenset({Role.CLERK}))
NO_NOTICE = NoticeId(0)


@dataclass
class Services:
    storage: SqlStorage
    access: Access
    village: VillageService
    roster: RosterService
    accounts: AccountService
    office: OfficeService
    audit: AuditService
    notices: NoticeService
    issued: NoticeId = NO_NOTICE
    drafts: tuple[Notice, ...] = ()  # one to issue, one to cancel


def _written(path: Path, entries: object) -> None:
    path.write_bytes(b"xlsx")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    storage = open_storage(sqlite_url(tmp_path_factory.mktemp("perm") / "village.sqlite3"))
    access = Access(MACHINE)
    from printing.archive import combine_pdfs
    from printing.notices import render_notice

    s = Services(
        storage,
        access,
        VillageService(storage, access),
        RosterService(storage, access, today=lambda: DAY),
        AccountService(storage, access),
        OfficeService(storage, access),
        AuditService(storage, access, _written),
        NoticeService(
            storage, access, render_notice, lambda: NOW, index_writer=_written, combiner=combine_pdfs
        ),
    )
    s.village.set_up(PROFILE, 2)
    # An issued notice to print, photograph and export, and drafts to issue and cancel.
    clerk = NoticeService(storage, Access(CLERK), render_notice, lambda: NOW)
    draft = clerk.save_draft(_notice(clerk))
    s.issued = _draft_id(clerk.issue(_draft_id(draft), draft.version))
    s.drafts = (clerk.save_draft(_notice(clerk)), clerk.save_draft(_notice(clerk)))
    wang = Person(id=None, name="王建国", gender="男")
    s.roster.appoint(
        wang, Post(id=None, person_id=PersonId(0), body=Body.PARTY, role="书记", term_start=TERM)
    )
    s.roster.save_household(Household(id=None, number="01001", head_name="李四", group_id=GroupId(1)))
    s.accounts.add_user(
        User(id=None, username="other", display_name="另一位", roles=(Role.CLERK,)), "pass-word-1"
    )
    yield s
    storage.close()


def _person(s: Services) -> Person:
    return next(p for p in s.roster.people() if p.name == "王建国")


# Operation name → (permission it needs, the call). Calls use valid-looking input where easy;
# an allowed call that fails for its input still proves the permission check let it through.
OPERATIONS: dict[str, tuple[Permission, Callable[[Services], object]]] = {
    "读本村信息以外的名册": (Permission.VIEW, lambda s: s.roster.people()),
    "读村民小组": (Permission.VIEW, lambda s: s.village.groups()),
    "读名册快照": (Permission.VIEW, lambda s: s.roster.snapshot(DAY)),
    "改本村信息": (Permission.EDIT_SETTINGS, lambda s: s.village.save_profile(_profile(s))),
    "初次设置": (Permission.EDIT_SETTINGS, lambda s: s.village.set_up(VillageProfile(name="x"), 1)),
    "新增村民小组": (
        Permission.EDIT_ROSTER,
        lambda s: s.village.save_group(VillageGroup(id=None, number=9, name="第九村民小组")),
    ),
    "撤销村民小组": (Permission.EDIT_ROSTER, lambda s: s.village.close_group(GroupId(2), "并组")),
    "登记人员": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.save_person(Person(id=None, name="新人", gender="女")),
    ),
    "任职": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.appoint(
            Person(id=None, name="赵六", gender="男"),
            Post(id=None, person_id=PersonId(0), body=Body.COMMITTEE, role="委员", term_start=TERM),
        ),
    ),
    "离任": (Permission.EDIT_ROSTER, lambda s: s.roster.end_post(PostId(1), DAY, "辞职")),
    "入党登记": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.admit_party_member(
            _person(s), PartyMember(id=None, person_id=PersonId(0), status=PartyStatus.FULL, joined_on=TERM)
        ),
    ),
    "党员转出": (Permission.EDIT_ROSTER, lambda s: s.roster.end_party_member(PartyMemberId(1), DAY, "转出")),
    "登记农户": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.save_household(
            Household(id=None, number="01009", head_name="钱七", group_id=GroupId(1))
        ),
    ),
    "推选代表": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.elect_representative(
            Person(id=None, name="孙八", gender="男"),
            Representative(id=None, person_id=PersonId(0), group_id=GroupId(1), term_start=TERM),
        ),
    ),
    "代表终止": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.end_representative(RepresentativeId(1), DAY, "迁出"),
    ),
    "登记亲属": (
        Permission.EDIT_ROSTER,
        lambda s: s.roster.declare_relative(
            _person(s).id or PersonId(0), Person(id=None, name="王妻", gender="女"), KinshipKind.SPOUSE
        ),
    ),
    "撤销亲属": (Permission.EDIT_ROSTER, lambda s: s.roster.end_kinship(KinshipId(1), "登记有误")),
    "查看用户": (Permission.MANAGE_USERS, lambda s: s.accounts.users()),
    "新增用户": (
        Permission.MANAGE_USERS,
        lambda s: s.accounts.add_user(
            User(id=None, username="new", display_name="新", roles=(Role.READER,)), "abcdefgh1"
        ),
    ),
    "修改用户": (
        Permission.MANAGE_USERS,
        lambda s: s.accounts.update_user(replace(_other(s), display_name="另一位同志")),
    ),
    "重设密码": (Permission.MANAGE_USERS, lambda s: s.accounts.reset_password(_other_id(s), "reset-pass-1")),
    "停用用户": (Permission.MANAGE_USERS, lambda s: s.accounts.close_user(_other_id(s), "调离")),
    "启用用户": (Permission.MANAGE_USERS, lambda s: s.accounts.reopen_user(_other_id(s))),
    "改设置": (
        Permission.EDIT_SETTINGS,
        lambda s: s.office.save_settings(replace(s.office.settings(), idle_lock_minutes=15)),
    ),
    "看操作日志": (Permission.VIEW_AUDIT, lambda s: s.audit.entries()),
    "校验操作日志": (Permission.VIEW_AUDIT, lambda s: s.audit.verify()),
    "导出操作日志": (Permission.VIEW_AUDIT, lambda s: s.audit.export(Path("/nonexistent-dir/log.xlsx"))),
    "看公示公告": (Permission.VIEW, lambda s: s.notices.notices()),
    "看公示PDF": (Permission.VIEW, lambda s: s.notices.pdf(s.issued)),
    "写公示草稿": (Permission.ISSUE_NOTICES, lambda s: s.notices.save_draft(_notice(s.notices))),
    "发布公示": (
        Permission.ISSUE_NOTICES,
        lambda s: s.notices.issue(_draft_id(s.drafts[0]), s.drafts[0].version),
    ),
    "作废公示草稿": (
        Permission.ISSUE_NOTICES,
        lambda s: s.notices.cancel_draft(_draft_id(s.drafts[1]), s.drafts[1].version, "不用了"),
    ),
    "更正公示": (Permission.ISSUE_NOTICES, lambda s: s.notices.start_correction(s.issued)),
    "登记张贴": (Permission.ISSUE_NOTICES, lambda s: s.notices.record_posting(s.issued, 0, DAY)),
    "添加张贴照片": (
        Permission.ISSUE_NOTICES,
        lambda s: s.notices.add_photo(s.issued, "公开栏.jpg", b"\xff\xd8"),
    ),
    "打印内部资料": (Permission.ISSUE_NOTICES, lambda s: s.notices.internal_pdf(s.issued)),
    "登记公示打印": (Permission.PRINT, lambda s: s.notices.record_print([s.issued])),
    "导出公示档案": (Permission.EXPORT, lambda s: s.notices.archive(2026)),
    "改公示设置": (
        Permission.EDIT_SETTINGS,
        lambda s: s.notices.save_settings(replace(s.notices.settings(), grace_days=7)),
    ),
}


def _notice(notices: NoticeService) -> Notice:
    made = notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, "关于2026年低保对象的公示")
    return replace(made, body=(Paragraph("拟确定以下农户为2026年低保对象，现予公示。"),))


def _draft_id(notice: Notice) -> NoticeId:
    assert notice.id is not None
    return notice.id


def _profile(s: Services) -> VillageProfile:
    profile = s.village.profile()
    assert profile is not None
    return replace(profile, address="甘旗卡镇小大歹村")


def _other(s: Services) -> User:
    with s.storage.transaction() as tx:
        return next(u for u in tx.list_users() if u.username == "other")


def _other_id(s: Services) -> UserId:
    other = _other(s)
    assert other.id is not None
    return other.id


def _actor(roles: tuple[Role, ...]) -> Actor:
    return Actor(UserId(900), "tester", "测试员", frozenset(roles))


def _head(s: Services) -> object:
    with s.storage.transaction() as tx:
        return tx.audit_head()


CASES = [(role, name) for role in Role for name in OPERATIONS]


@pytest.mark.parametrize(("role", "operation"), CASES, ids=[f"{r.name}-{o}" for r, o in CASES])
def test_each_role_is_held_to_its_permissions(services: Services, role: Role, operation: str) -> None:
    permission, call = OPERATIONS[operation]
    services.access.sign_in(_actor((role,)))
    head_before = _head(services)
    allowed = permission in ROLE_PERMISSIONS[role]
    try:
        if allowed:
            try:
                call(services)
            except AccessDeniedError as error:  # pragma: no cover - reported as a failure
                pytest.fail(f"{role} was refused {operation}: {error}")
            except (VillageDeskError, OSError):
                pass  # refused for its input, not for the role
        else:
            with pytest.raises(AccessDeniedError, match=str(permission)):
                call(services)
            assert _head(services) == head_before  # nothing written, not even a log line
    finally:
        services.access.sign_in(MACHINE)


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_nobody_signed_in_may_do_nothing_protected(services: Services, operation: str) -> None:
    services.access.sign_out()
    try:
        with pytest.raises(AccessDeniedError, match="请先登录"):
            OPERATIONS[operation][1](services)
    finally:
        services.access.sign_in(MACHINE)


def test_a_person_with_two_roles_holds_both(services: Services) -> None:
    services.access.sign_in(_actor((Role.READER, Role.CLERK)))
    try:
        services.roster.save_household(
            Household(id=None, number="02001", head_name="周九", group_id=GroupId(2))
        )
        with pytest.raises(AccessDeniedError):
            services.accounts.users()
    finally:
        services.access.sign_in(MACHINE)


def test_the_supervisor_reads_everything_and_changes_nothing() -> None:
    granted = ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert {Permission.VIEW, Permission.VIEW_AUDIT, Permission.RECORD_SUPERVISION} <= granted
    assert not granted & {
        Permission.EDIT_BOOKS,
        Permission.EDIT_CASH,
        Permission.EDIT_ROSTER,
        Permission.EDIT_RECORDS,
        Permission.EDIT_SETTINGS,
        Permission.REVIEW_VOUCHERS,
        Permission.MANAGE_USERS,
    }


def test_nobody_reviews_their_own_work() -> None:
    accountant = _actor((Role.ACCOUNTANT,))
    with pytest.raises(AccessDeniedError, match="不相容职务分离"):
        ensure_not_own(accountant, UserId(900))
    ensure_not_own(accountant, UserId(901))  # someone else's voucher
    ensure_not_own(accountant, None)  # no author recorded


def test_settings_are_readable_before_login(services: Services) -> None:
    services.access.sign_out()
    try:
        assert isinstance(services.office.settings(), OfficeSettings)
        assert services.village.profile() is not None  # the login dialog shows the village name
    finally:
        services.access.sign_in(MACHINE)
