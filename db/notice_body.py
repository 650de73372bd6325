"""A notice's body and settings as JSON text, and back: the columns ``db.models`` keeps them in.

The body is a list of blocks, each an object with a ``type``::

    [{"type": "paragraph", "text": "一、公示对象", "level": 1},
     {"type": "table", "title": "", "totals": true,
      "columns": [{"title": "户主姓名", "kind": "文字"}, {"title": "补助金额", "kind": "金额"}],
      "rows": [["王建国", "1200.00"]]}]

Column kinds are their Chinese values, as every enum in the database is.
Written with sorted keys and no ASCII escaping, so the same body always
gives the same text (and reads well in any SQLite browser). Reading is
strict: text that is not such a list raises ``ValueError`` (a bug or a hand
edit, never the clerk's input).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from village_desk.notices import (
    Block,
    Cadence,
    Column,
    ColumnKind,
    FontRole,
    NoticeCategory,
    NoticeTable,
    Paragraph,
    PeriodRule,
    PeriodUnit,
)

PARAGRAPH = "paragraph"
TABLE = "table"


def dumps(value: Any) -> str:
    """Canonical JSON: the same value, the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- the body -------------------------------------------------------------------------------------------
def body_to_json(body: Iterable[Block]) -> str:
    return dumps([_block_to_data(block) for block in body])


def body_from_json(text: str) -> tuple[Block, ...]:
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError(f"a notice body must be a JSON list, got {type(data).__name__}")
    try:
        return tuple(_block_from_data(item) for item in data)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"a body block lacks a field or has the wrong shape: {exc!r}") from exc


def _block_to_data(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": PARAGRAPH, "text": block.text, "level": block.level}
    return {
        "type": TABLE,
        "title": block.title,
        "totals": block.totals,
        "columns": [{"title": c.title, "kind": c.kind.value} for c in block.columns],
        "rows": [list(row) for row in block.rows],
    }


def _block_from_data(item: Any) -> Block:
    if not isinstance(item, dict):
        raise ValueError(f"a body block must be a JSON object, got {item!r:.80}")
    kind = item.get("type")
    if kind == PARAGRAPH:
        return Paragraph(_str(item["text"]), _int(item.get("level", 0)))
    if kind == TABLE:
        columns = tuple(Column(_str(c["title"]), ColumnKind(c["kind"])) for c in item["columns"])
        rows = tuple(tuple(_str(cell) for cell in row) for row in item.get("rows", []))
        return NoticeTable(
            columns, rows, totals=bool(item.get("totals", False)), title=_str(item.get("title", ""))
        )
    raise ValueError(f"unknown body block type {kind!r}")


def body_audit_text(body: Iterable[Block]) -> str:
    """The body as the audit log shows it: every paragraph, each table in one line.

    A table's cells are not copied into the log (a 1,000-row list would fill
    it); a short fingerprint of its content shows that it changed.
    """
    lines: list[str] = []
    number = 0
    for block in body:
        if isinstance(block, Paragraph):
            lines.append(block.text)
            continue
        number += 1
        digest = hashlib.sha256(dumps(_block_to_data(block)).encode("utf-8")).hexdigest()[:8]
        title = f"“{block.title}”" if block.title else ""
        columns = "、".join(c.title for c in block.columns)
        totals = "，带合计" if block.totals else ""
        lines.append(f"【表{number}{title}：{columns}；{len(block.rows)}行{totals}；内容校验码{digest}】")
    return "\n".join(lines)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r:.80}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r:.80}")
    return value


# --- lists of text ----------------------------------------------------------------------------------------
def strings_to_json(values: Iterable[str]) -> str:
    return dumps(list(values))


def strings_from_json(text: str) -> tuple[str, ...]:
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of text")
    return tuple(_str(v) for v in data)


# --- settings -----------------------------------------------------------------------------------------------
def pairs_to_json(pairs: Iterable[tuple[NoticeCategory | FontRole, str]]) -> str:
    """``((村务, "{类别}…"), …)`` as ``[["村务", "{类别}…"], …]``: order kept."""
    return dumps([[key.value, str(value)] for key, value in pairs])


def category_pairs_from_json(text: str) -> tuple[tuple[NoticeCategory, str], ...]:
    return tuple((NoticeCategory(k), _str(v)) for k, v in json.loads(text))


def cadences_from_json(text: str) -> tuple[tuple[NoticeCategory, Cadence], ...]:
    return tuple((NoticeCategory(k), Cadence(v)) for k, v in json.loads(text))


def fonts_from_json(text: str) -> tuple[tuple[FontRole, str], ...]:
    return tuple((FontRole(k), _str(v)) for k, v in json.loads(text))


def rules_to_json(rules: Iterable[PeriodRule]) -> str:
    return dumps([[r.name, r.days, r.unit.value] for r in rules])


def rules_from_json(text: str) -> tuple[PeriodRule, ...]:
    return tuple(
        PeriodRule(_str(name), _int(days), PeriodUnit(unit)) for name, days, unit in json.loads(text)
    )


def dates_to_json(days: Iterable[dt.date]) -> str:
    return dumps([d.isoformat() for d in days])


def dates_from_json(text: str) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(_str(d)) for d in json.loads(text))
