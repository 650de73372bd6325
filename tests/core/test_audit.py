"""The audit chain: every hand-made edit, deletion or insertion is found and named.

Chains are built here the way storage builds them (``entry_hash`` over the
content and the previous hash), then tampered with as someone with a SQLite
browser could: change a cell, delete a row, insert a row, renumber rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import itertools
from collections.abc import Sequence

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from village_desk.audit import (
    FIELD_LABELS,
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    ChainHead,
    FieldChange,
    audit_text,
    changes_between,
    describe,
    entry_hash,
    hash_of,
    verify_chain,
)
from village_desk.ids import UserId

START = dt.datetime(2026, 11, 28, 9, 0, 0)

_STEPS: tuple[tuple[str, str, str, tuple[FieldChange, ...]], ...] = (
    (AuditAction.LOGIN, "用户", "王会计（kuaiji）", ()),
    (AuditAction.CREATE, "人员", "张三", (FieldChange("name", "", "张三"),)),
    (AuditAction.UPDATE, "人员", "张三", (FieldChange("phone", "", "13904751234"),)),
    (AuditAction.CREATE, "村民小组", "第一村民小组", (FieldChange("number", "", "1"),)),
    (AuditAction.CLOSE, "村民小组", "第一村民小组", (FieldChange("closed_reason", "", "并组"),)),
    (AuditAction.EXPORT, "操作日志", "5条 → 日志.xlsx", ()),
)


def entry(
    seq: int,
    prev_hash: str,
    *,
    action: str = AuditAction.UPDATE,
    record_type: str = "人员",
    summary: str = "张三",
    changes: tuple[FieldChange, ...] = (),
    at: dt.datetime | None = None,
    user_id: int | None = 2,
) -> AuditEntry:
    """An entry carrying the hash storage would give it."""
    at = at or START + dt.timedelta(minutes=seq)
    draft = AuditEntry(
        seq=seq,
        at=at,
        user_id=UserId(user_id) if user_id is not None else None,
        username="kuaiji",
        user_name="王会计",
        action=str(action),
        record_type=record_type,
        record_id=seq * 10,
        summary=summary,
        changes=changes,
        prev_hash=prev_hash,
        hash="",
    )
    return dataclasses.replace(draft, hash=hash_of(draft))


def chain(length: int = 6) -> list[AuditEntry]:
    """A whole chain of ``length`` entries numbered 1..length."""
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        action, record_type, summary, changes = _STEPS[(seq - 1) % len(_STEPS)]
        made = entry(seq, prev, action=action, record_type=record_type, summary=summary, changes=changes)
        entries.append(made)
        prev = made.hash
    return entries


def head_of(entries: Sequence[AuditEntry]) -> ChainHead:
    return ChainHead(entries[-1].seq, entries[-1].hash)


def rehashed(e: AuditEntry, **changes: object) -> AuditEntry:
    """``e`` changed and given a correctly computed hash (a careful forger)."""
    changed = dataclasses.replace(e, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(changed, hash=hash_of(changed))


# --- a whole chain -----------------------------------------------------------------------------------
class TestWholeChain:
    def test_a_whole_chain_is_ok(self) -> None:
        entries = chain()
        report = verify_chain(entries, head_of(entries))
        assert report.ok and report.count == 6
        assert report.problem == "" and report.problem_seq is None

    def test_an_empty_log_without_a_head_is_ok(self) -> None:
        report = verify_chain([], None)
        assert report.ok and report.count == 0

    def test_each_entry_links_to_the_one_before(self) -> None:
        entries = chain()
        assert entries[0].prev_hash == GENESIS_HASH
        for before, after in itertools.pairwise(entries):
            assert after.prev_hash == before.hash
        assert len({e.hash for e in entries}) == len(entries)

    def test_verify_reads_a_stream_once(self) -> None:
        # Storage streams the entries; verify must not need to go back.
        entries = chain()
        assert verify_chain(iter(entries), head_of(entries)).ok


# --- edits ----------------------------------------------------------------------------------------------
class TestEdited:
    def test_an_edited_summary_names_that_entry(self) -> None:
        entries = chain()
        entries[2] = dataclasses.replace(entries[2], summary="李四")
        report = verify_chain(entries, head_of(chain()))
        assert not report.ok
        assert report.problem_seq == 3
        assert "第3条" in report.problem and "改动" in report.problem
        assert report.count == 3  # stopped at the first problem

    def test_an_edited_change_value_names_that_entry(self) -> None:
        entries = chain()
        entries[1] = dataclasses.replace(entries[1], changes=(FieldChange("name", "", "张四"),))
        report = verify_chain(entries, head_of(chain()))
        assert report.problem_seq == 2 and "第2条" in report.problem

    def test_an_edited_time_names_that_entry(self) -> None:
        entries = chain()
        entries[0] = dataclasses.replace(entries[0], at=entries[0].at - dt.timedelta(days=1))
        report = verify_chain(entries, head_of(chain()))
        assert report.problem_seq == 1

    def test_an_edit_with_a_recomputed_hash_breaks_the_link_to_the_next(self) -> None:
        entries = chain()
        entries[2] = rehashed(entries[2], summary="李四")
        report = verify_chain(entries, head_of(chain()))
        assert report.problem_seq == 4
        assert "第4条" in report.problem and "前一条" in report.problem

    def test_the_last_entry_edited_with_a_recomputed_hash_is_caught_by_the_head(self) -> None:
        entries = chain()
        head = head_of(entries)
        entries[-1] = rehashed(entries[-1], summary="改过的")
        report = verify_chain(entries, head)
        assert report.problem_seq == 6
        assert "最后一条（第6条）" in report.problem

    def test_a_missing_head_is_reported(self) -> None:
        report = verify_chain(chain(), None)
        assert not report.ok and "末尾记号" in report.problem


# --- deletions -------------------------------------------------------------------------------------------
class TestDeleted:
    def test_a_deleted_middle_entry_is_named(self) -> None:
        entries = chain()
        head = head_of(entries)
        del entries[2]
        report = verify_chain(entries, head)
        assert report.problem_seq == 3
        assert "第3条操作记录被删除了" in report.problem and "第4条" in report.problem

    def test_several_deleted_entries_are_named_as_a_range(self) -> None:
        entries = chain()
        head = head_of(entries)
        del entries[1:4]
        report = verify_chain(entries, head)
        assert report.problem_seq == 2
        assert "第2至第4条操作记录被删除了" in report.problem

    def test_the_deleted_first_entry_is_named(self) -> None:
        entries = chain()
        head = head_of(entries)
        report = verify_chain(entries[1:], head)
        assert report.problem_seq == 1 and "第1条操作记录被删除了" in report.problem

    def test_a_deleted_last_entry_is_found_by_the_head(self) -> None:
        entries = chain()
        head = head_of(entries)
        report = verify_chain(entries[:-1], head)
        assert report.problem_seq == 6
        assert "最后的第6条操作记录被删除了" in report.problem

    def test_the_last_entries_deleted(self) -> None:
        entries = chain()
        report = verify_chain(entries[:3], head_of(entries))
        assert report.problem_seq == 4 and "第4至第6条" in report.problem

    def test_every_entry_deleted(self) -> None:
        entries = chain()
        report = verify_chain([], head_of(entries))
        assert not report.ok and report.problem_seq == 1


# --- insertions ---------------------------------------------------------------------------------------------
class TestInserted:
    def test_an_entry_with_a_made_up_hash_appended_is_beyond_the_head(self) -> None:
        entries = chain()
        head = head_of(entries)
        forged = dataclasses.replace(entry(7, entries[-1].hash), hash="ab" * 32)
        report = verify_chain([*entries, forged], head)
        assert report.problem_seq == 7
        assert "第7条" in report.problem and "手工插入" in report.problem

    def test_an_entry_with_a_correct_hash_appended_beyond_the_head(self) -> None:
        entries = chain()
        head = head_of(entries)
        forged = entry(7, entries[-1].hash, summary="凭空多出的一条")
        assert hash_of(forged) == forged.hash
        report = verify_chain([*entries, forged], head)
        assert report.problem_seq == 7 and "手工插入" in report.problem

    def test_an_entry_with_a_made_up_hash_in_the_middle(self) -> None:
        # Renumbered from there on, as a forger must to keep the numbers without gaps.
        entries = chain()
        head = head_of(entries)
        forged = dataclasses.replace(entry(3, entries[1].hash, summary="插入的"), hash="cd" * 32)
        later = [dataclasses.replace(e, seq=e.seq + 1) for e in entries[2:]]
        report = verify_chain([*entries[:2], forged, *later], head)
        assert report.problem_seq == 3 and "第3条" in report.problem

    def test_a_correctly_hashed_entry_in_the_middle_breaks_the_next_link(self) -> None:
        entries = chain()
        head = head_of(entries)
        forged = entry(3, entries[1].hash, summary="插入的")
        later = [rehashed(e, seq=e.seq + 1) for e in entries[2:]]
        report = verify_chain([*entries[:2], forged, *later], head)
        # The renumbered old 3rd entry still points at the 2nd: the link is broken after the insert.
        assert report.problem_seq == 4 and "接不上" in report.problem

    def test_a_twin_number_is_named(self) -> None:
        entries = chain()
        twin = entry(3, entries[2].hash, summary="双胞胎")
        report = verify_chain([*entries[:3], twin, *entries[3:]], head_of(entries))
        assert report.problem_seq == 3 and "编号重复" in report.problem


# --- reordering ---------------------------------------------------------------------------------------------
class TestReordered:
    def test_two_entries_given_each_others_numbers(self) -> None:
        entries = chain()
        head = head_of(entries)
        third, fourth = entries[2], entries[3]
        entries[2] = dataclasses.replace(fourth, seq=3)
        entries[3] = dataclasses.replace(third, seq=4)
        report = verify_chain(entries, head)
        assert report.problem_seq == 3 and "校验值不符" in report.problem

    def test_entries_out_of_order(self) -> None:
        entries = chain()
        head = head_of(entries)
        entries[2], entries[3] = entries[3], entries[2]
        report = verify_chain(entries, head)
        assert not report.ok and report.problem_seq == 3


# --- any single edit ------------------------------------------------------------------------------------------
_TEXT = st.text(min_size=0, max_size=8)
_EDITS = {
    "seq": st.integers(min_value=-3, max_value=12),
    "at": st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
        lambda t: t.replace(microsecond=0)
    ),
    "user_id": st.none() | st.integers(min_value=0, max_value=50).map(UserId),
    "username": _TEXT,
    "user_name": _TEXT,
    "action": st.sampled_from([a.value for a in AuditAction]) | _TEXT,
    "record_type": _TEXT,
    "record_id": st.none() | st.integers(min_value=0, max_value=1000),
    "summary": _TEXT,
    "changes": st.lists(st.builds(FieldChange, _TEXT, _TEXT, _TEXT), max_size=3).map(tuple),
    "prev_hash": st.text("0123456789abcdef", min_size=64, max_size=64),
    "hash": st.text("0123456789abcdef", min_size=64, max_size=64),
}


@st.composite
def single_edits(draw: st.DrawFn) -> tuple[int, str, object]:
    position = draw(st.integers(min_value=0, max_value=5))
    field = draw(st.sampled_from(sorted(_EDITS)))
    value = draw(_EDITS[field])
    return position, field, value


@given(single_edits())
def test_any_single_edit_of_any_field_is_detected(edit: tuple[int, str, object]) -> None:
    position, field, value = edit
    entries = chain()
    head = head_of(entries)
    assume(getattr(entries[position], field) != value)
    entries[position] = dataclasses.replace(entries[position], **{field: value})  # type: ignore[arg-type]
    report = verify_chain(entries, head)
    assert not report.ok
    assert report.problem_seq is not None
    assert report.problem.endswith("。")


@given(st.integers(min_value=0, max_value=5), st.sampled_from(sorted(_EDITS)), st.data())
def test_a_single_edit_with_a_recomputed_hash_is_still_detected(
    position: int, field: str, data: st.DataObject
) -> None:
    entries = chain()
    head = head_of(entries)
    assume(field != "hash")
    value = data.draw(_EDITS[field])
    assume(getattr(entries[position], field) != value)
    entries[position] = rehashed(entries[position], **{field: value})
    assert not verify_chain(entries, head).ok


@given(st.integers(min_value=0, max_value=5))
def test_deleting_any_one_entry_is_detected(position: int) -> None:
    entries = chain()
    head = head_of(entries)
    del entries[position]
    report = verify_chain(entries, head)
    assert not report.ok and report.problem_seq == position + 1


# --- the hash itself -------------------------------------------------------------------------------------------
class TestHash:
    def test_is_hex_sha256(self) -> None:
        digest = entry(1, GENESIS_HASH).hash
        assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")

    def test_covers_the_previous_hash(self) -> None:
        assert entry(1, GENESIS_HASH).hash != entry(1, "1" * 64).hash

    def test_the_action_as_enum_or_text_hashes_alike(self) -> None:
        args = (1, START, 2, "kuaiji", "王会计")
        rest = ("人员", 3, "张三", (), GENESIS_HASH)
        assert entry_hash(*args, AuditAction.UPDATE, *rest) == entry_hash(*args, "修改", *rest)

    def test_microseconds_do_not_count(self) -> None:
        # Storage keeps seconds only; the hash must be computed over what is kept.
        a = entry(1, GENESIS_HASH, at=START)
        b = entry(1, GENESIS_HASH, at=START.replace(microsecond=123456))
        assert a.hash == b.hash


# --- field values as the log writes them -------------------------------------------------------------------------
class _Colour(enum.StrEnum):
    RED = "红"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "是"),
        (False, "否"),
        (0, "0"),
        (12, "12"),
        ("张三", "张三"),
        (_Colour.RED, "红"),
        (dt.date(2026, 1, 5), "2026-01-05"),
        (dt.datetime(2026, 1, 5, 8, 30, 15, 999), "2026-01-05 08:30:15"),
        ((1, 2, 3), "1、2、3"),
        (["甲", None, True], "甲、、是"),
        ((), ""),
    ],
)
def test_audit_text(value: object, text: str) -> None:
    assert audit_text(value) == text


class TestChangesBetween:
    def test_a_new_record_lists_every_field(self) -> None:
        assert changes_between({}, {"name": "张三", "phone": "139"}) == (
            FieldChange("name", "", "张三"),
            FieldChange("phone", "", "139"),
        )

    def test_only_changed_fields_in_the_order_of_new(self) -> None:
        old = {"name": "张三", "phone": "139", "note": "a"}
        new = {"note": "b", "phone": "139", "name": "张四"}
        assert changes_between(old, new) == (
            FieldChange("note", "a", "b"),
            FieldChange("name", "张三", "张四"),
        )

    def test_nothing_changed(self) -> None:
        assert changes_between({"name": "张三"}, {"name": "张三"}) == ()

    def test_a_field_new_to_the_record_counts_from_empty(self) -> None:
        assert changes_between({"name": "张三"}, {"name": "张三", "note": ""}) == ()
        assert changes_between({"name": "张三"}, {"name": "张三", "note": "x"}) == (
            FieldChange("note", "", "x"),
        )

    def test_a_field_emptied(self) -> None:
        assert changes_between({"phone": "139"}, {"phone": ""}) == (FieldChange("phone", "139", ""),)


class TestLabels:
    def test_known_fields_show_in_chinese(self) -> None:
        assert FieldChange("id_number", "", "1").label == "身份证号码"
        assert FieldChange("password", "", "（已设置）").label == "密码"

    def test_an_unknown_field_shows_its_name(self) -> None:
        assert FieldChange("nickname", "", "x").label == "nickname"

    def test_every_label_is_chinese(self) -> None:
        for field, label in FIELD_LABELS.items():
            assert field.isascii() and not label.isascii(), field

    def test_describe_names_number_time_user_action_and_record(self) -> None:
        made = entry(12, GENESIS_HASH, at=dt.datetime(2026, 11, 28, 14, 30, 59))
        assert describe(made) == "第12条（2026-11-28 14:30 王会计 修改 人员“张三”）"
        assert (
            describe(dataclasses.replace(made, summary="")) == "第12条（2026-11-28 14:30 王会计 修改 人员）"
        )
