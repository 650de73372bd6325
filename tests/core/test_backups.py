"""Backup names, which automatic copies are thinned out, and when the home page warns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from village_desk.backups import (
    KEEP_DAYS,
    KEEP_MONTHS,
    BackupFile,
    BackupKind,
    backup_file_name,
    backup_status,
    backups_to_prune,
    parse_backup_file_name,
    safe_village_name,
)

NOW = dt.datetime(2026, 11, 28, 14, 30, 5)
TODAY = NOW.date()


def auto(made_at: dt.datetime, kind: BackupKind = BackupKind.AUTO) -> BackupFile:
    return BackupFile(Path("/备份") / backup_file_name("小大歹村", made_at, kind), made_at, kind, 1024)


# --- names ------------------------------------------------------------------------------------------
def test_a_name_reads_as_village_date_time_and_kind() -> None:
    assert backup_file_name("小大歹村", NOW, BackupKind.AUTO) == "小大歹村-备份-20261128-143005-自动.sqlite3"
    assert backup_file_name("巴彦嘎查", NOW, BackupKind.BEFORE_RESTORE, 2) == (
        "巴彦嘎查-备份-20261128-143005-恢复前-2.sqlite3"
    )


@pytest.mark.parametrize("kind", list(BackupKind))
def test_every_kind_parses_back(kind: BackupKind) -> None:
    parsed = parse_backup_file_name(backup_file_name("小大歹村", NOW, kind))
    assert parsed is not None
    assert (parsed.village, parsed.made_at, parsed.kind) == ("小大歹村", NOW, kind)


@pytest.mark.parametrize(
    "name",
    [
        "village.sqlite3",
        "village.sqlite3.20261128-143005.rev0001.bak",
        "小大歹村-备份-20261128-143005-自动.sqlite3.partial",
        "小大歹村-备份-20261128-143005-每天.sqlite3",
        "小大歹村-备份-20261332-143005-自动.sqlite3",  # no 32nd of the 13th month
        "-备份-20261128-143005-自动.sqlite3",
        "小大歹村-备份-2026112-143005-自动.sqlite3",
    ],
)
def test_other_files_are_not_backups(name: str) -> None:
    assert parse_backup_file_name(name) is None


def test_characters_windows_forbids_in_names_are_replaced() -> None:
    assert safe_village_name('小/大\\歹:村*?"<>|') == "小_大_歹_村______"
    assert safe_village_name("  ") == "村务通"
    name = backup_file_name("A/B", NOW, BackupKind.MANUAL)
    assert "/" not in name
    assert parse_backup_file_name(name) == ("A_B", NOW, BackupKind.MANUAL)


@given(
    village=st.text(min_size=1, max_size=20),
    made_at=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    kind=st.sampled_from(BackupKind),
    n=st.integers(min_value=1, max_value=50),
)
def test_any_name_parses_back_to_what_it_was_made_of(
    village: str, made_at: dt.datetime, kind: BackupKind, n: int
) -> None:
    made_at = made_at.replace(microsecond=0)
    parsed = parse_backup_file_name(backup_file_name(village, made_at, kind, n))
    assert parsed == (safe_village_name(village), made_at, kind)


# --- pruning ----------------------------------------------------------------------------------------
def test_a_year_of_daily_copies_keeps_fourteen_days_and_twelve_months() -> None:
    files = [auto(NOW - dt.timedelta(days=d)) for d in range(400)]

    pruned = backups_to_prune(files, TODAY)

    kept = {f.made_at.date() for f in files} - {f.made_at.date() for f in pruned}
    last_14 = {TODAY - dt.timedelta(days=d) for d in range(14)}
    assert last_14 <= kept
    # The newest of each month is its last day (or today for this month); 12 months in all.
    months = {(d.year, d.month) for d in kept}
    assert len(months) == 12
    assert min(months) == (2025, 12)
    assert dt.date(2026, 10, 31) in kept and dt.date(2026, 10, 30) not in kept
    assert len(kept) == 14 + 11  # November's newest is among the 14 days; Dec 2025 – Oct 2026 add one each


def test_the_newest_copy_of_a_day_is_kept_and_earlier_ones_go() -> None:
    morning = auto(NOW.replace(hour=8))
    noon = auto(NOW.replace(hour=12))
    evening = auto(NOW.replace(hour=18))

    assert backups_to_prune([noon, evening, morning], TODAY) == [morning, noon]


def test_copies_by_hand_and_safety_copies_are_never_pruned() -> None:
    kinds = (BackupKind.MANUAL, BackupKind.BEFORE_RESTORE, BackupKind.BEFORE_UPGRADE)
    files = [
        auto(NOW - dt.timedelta(days=d, hours=h), kind) for d in range(500) for h in (1, 2) for kind in kinds
    ]

    assert backups_to_prune(files, TODAY) == []


def test_days_without_copies_do_not_count() -> None:
    # The office PC was off for over a month: the last 14 copies (19 Oct back to 6 Oct) still
    # stay, and September's newest as its month's copy.
    files = [auto(NOW - dt.timedelta(days=40 + d)) for d in range(30)]

    pruned = backups_to_prune(files, TODAY)

    kept = sorted(f.made_at.date() for f in files if f not in pruned)
    assert kept == [dt.date(2026, 9, 30)] + [dt.date(2026, 10, d) for d in range(6, 20)]


def test_copies_dated_in_the_future_are_left_alone() -> None:
    future = auto(NOW + dt.timedelta(days=3))
    files = [future, *(auto(NOW - dt.timedelta(days=d)) for d in range(20))]

    pruned = backups_to_prune(files, TODAY)

    assert future not in pruned
    assert len(pruned) == 20 - 14


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 11, 28, 23, 59))
backup_files = st.lists(
    st.builds(auto, moments, st.sampled_from(BackupKind)), max_size=80, unique_by=lambda f: f.made_at
)


@settings(max_examples=200)
@given(files=backup_files)
def test_pruning_rules_hold_for_any_set_of_copies(files: list[BackupFile]) -> None:
    pruned = backups_to_prune(files, TODAY)
    kept = [f for f in files if f not in pruned]
    autos = [f for f in files if f.kind is BackupKind.AUTO]
    kept_autos = [f for f in kept if f.kind is BackupKind.AUTO]

    assert all(f.kind is BackupKind.AUTO for f in pruned)
    assert all(f in files for f in pruned)
    if autos:
        assert max(autos, key=lambda f: f.made_at) in kept_autos
    days = sorted({f.made_at.date() for f in autos}, reverse=True)
    for day in days[:KEEP_DAYS]:  # the newest copy of each recent day stays
        assert max((f for f in autos if f.made_at.date() == day), key=lambda f: f.made_at) in kept_autos
    months = sorted({(f.made_at.year, f.made_at.month) for f in autos}, reverse=True)
    assert len(kept_autos) <= KEEP_DAYS + KEEP_MONTHS
    assert {(f.made_at.year, f.made_at.month) for f in kept_autos} >= set(months[:KEEP_MONTHS])
    # Pruning what is left removes nothing more.
    assert backups_to_prune(kept, TODAY) == []


# --- the home page's warning -------------------------------------------------------------------------
def test_no_warning_for_a_recent_backup() -> None:
    status = backup_status(Path("/备份"), True, auto(NOW - dt.timedelta(days=7)), NOW)
    assert status.warning == ""


def test_warns_when_the_newest_backup_is_older_than_a_week() -> None:
    status = backup_status(Path("/备份"), True, auto(NOW - dt.timedelta(days=8)), NOW)
    assert "8天前" in status.warning
    assert "立即备份" in status.warning


def test_warns_when_there_is_no_backup_or_the_folder_is_gone() -> None:
    assert "还没有任何备份" in backup_status(Path("/备份"), True, None, NOW).warning
    gone = backup_status(Path("E:/村务备份"), False, None, NOW)
    assert "E:/村务备份" in gone.warning
    assert "U盘" in gone.warning
