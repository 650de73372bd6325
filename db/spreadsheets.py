"""Spreadsheets (.xlsx) written with openpyxl."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from village_desk.audit import AuditEntry


def write_audit_log(path: Path, entries: Sequence[AuditEntry]) -> None:
    """The audit entries as one sheet, newest first, as the viewer lists them."""
    raise NotImplementedError("written by the audit-viewer work")
