"""The register's settings and loans as JSON text, and back; the natural sort key of a 户号.

Like ``db.notice_body``: canonical JSON (sorted keys, no ASCII escaping),
``Decimal`` as its exact text (``"0.3"``, ``"6000"``), so a value reads back
equal. Reading fills a key that a later version added with the default, and
raises ``ValueError`` on text of the wrong shape (a bug or a hand edit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from village_desk.monitoring import MonitoringSettings, SchoolStage
from village_desk.register import IndicatorTargets, Loan


def dumps(value: Any) -> str:
    """Canonical JSON: the same value, the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _loads(text: str, kind: type) -> Any:
    data = json.loads(text)
    if not isinstance(data, kind):
        raise ValueError(f"expected a JSON {kind.__name__}, got {type(data).__name__}")
    return data


# --- categories and the education table -------------------------------------------------------------
def strings_to_json(values: tuple[str, ...]) -> str:
    return dumps(list(values))


def strings_from_json(text: str) -> tuple[str, ...]:
    return tuple(str(v) for v in _loads(text, list))


def subsidies_to_json(table: tuple[tuple[SchoolStage, Decimal], ...]) -> str:
    return dumps([[stage.value, str(amount)] for stage, amount in table])


def subsidies_from_json(text: str) -> tuple[tuple[SchoolStage, Decimal], ...]:
    return tuple((SchoolStage(stage), Decimal(amount)) for stage, amount in _loads(text, list))


# --- monitoring thresholds and the plan's targets --------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _like(default: Any, value: Any) -> Any:
    """``value`` read back as the type of ``default`` (Decimal, int, tuples of those)."""
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, Decimal):
        return Decimal(str(value))
    if isinstance(default, int):
        return int(value)
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {value!r}")
        if default and isinstance(default[0], tuple):  # (year, amount) pairs
            return tuple((int(y), Decimal(str(a))) for y, a in value)
        return tuple(_like(d, v) for d, v in zip(default, value, strict=True))
    return value


def _dataclass_to_json(value: Any) -> str:
    return dumps({f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)})


def _dataclass_from_json(cls: type, text: str) -> Any:
    data = _loads(text, dict)
    default = cls()
    known = {f.name for f in dataclasses.fields(cls)}
    return dataclasses.replace(
        default, **{name: _like(getattr(default, name), v) for name, v in data.items() if name in known}
    )


def monitoring_to_json(settings: MonitoringSettings) -> str:
    return _dataclass_to_json(settings)


def monitoring_from_json(text: str) -> MonitoringSettings:
    settings: MonitoringSettings = _dataclass_from_json(MonitoringSettings, text)
    return settings


def targets_to_json(targets: IndicatorTargets) -> str:
    return _dataclass_to_json(targets)


def targets_from_json(text: str) -> IndicatorTargets:
    targets: IndicatorTargets = _dataclass_from_json(IndicatorTargets, text)
    return targets


# --- loans -------------------------------------------------------------------------------------------------
def loans_to_json(loans: tuple[Loan, ...]) -> str:
    return dumps(
        [
            {
                "kind": loan.kind,
                "amount": str(loan.amount),
                "bank": loan.bank,
                "due_on": loan.due_on.isoformat() if loan.due_on else None,
            }
            for loan in loans
        ]
    )


def loans_from_json(text: str) -> tuple[Loan, ...]:
    try:
        return tuple(
            Loan(
                kind=str(item["kind"]),
                amount=Decimal(str(item["amount"])),
                bank=str(item["bank"]),
                due_on=dt.date.fromisoformat(item["due_on"]) if item.get("due_on") else None,
            )
            for item in _loads(text, list)
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"a loan lacks a field or has the wrong shape: {exc!r}") from exc


def loans_text(loans: tuple[Loan, ...]) -> str:
    """``扶贫小额信贷50000元（农商银行，2027-06-30到期）``, for the log."""
    parts = []
    for loan in loans:
        details = "，".join(p for p in (loan.bank, f"{loan.due_on}到期" if loan.due_on else "") if p)
        parts.append(f"{loan.kind}{loan.amount}元" + (f"（{details}）" if details else ""))
    return "；".join(parts)


# --- 户号 in natural order --------------------------------------------------------------------------------
_TOKENS = re.compile(r"[0-9]+|.", re.DOTALL)


def number_key(number: str) -> str:
    """A key that sorts 户号 naturally ("2" before "10", "0101" with "101") in any collation.

    Each run of digits becomes ``1``, its length in two hex digits, then the
    digits without leading zeros; every other character ``2`` and its code
    point in six hex digits. The key has only 0-9 and a-f, which every
    collation (SQLite's binary, PostgreSQL's locale ones) orders alike.
    """
    parts = []
    for token in _TOKENS.findall(number.strip()):
        if token[0] in "0123456789":
            digits = token.lstrip("0") or "0"
            parts.append(f"1{len(digits):02x}{digits}")
        else:
            parts.append(f"2{ord(token):06x}")
    return "".join(parts)
