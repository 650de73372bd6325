"""Reading, checking and exporting the audit trail (管理员 and 监督委员)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from village_desk.accounts import Access, Permission
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, ChainReport, verify_chain
from village_desk.errors import StorageError
from village_desk.storage import Storage

# Writes entries to a spreadsheet file (``db`` provides it: openpyxl stays out of the core).
AuditWriter = Callable[[Path, Sequence[AuditEntry]], None]

DEFAULT_LIMIT = 5000
_EVERYTHING = AuditFilter()


class AuditService:
    def __init__(self, storage: Storage, access: Access, writer: AuditWriter | None = None) -> None:
        self._storage = storage
        self._access = access
        self._writer = writer

    def entries(
        self, query: AuditFilter = _EVERYTHING, limit: int | None = DEFAULT_LIMIT
    ) -> list[AuditEntry]:
        """Matching entries, newest first (at most ``limit``)."""
        self._access.require(Permission.VIEW_AUDIT)
        with self._storage.transaction() as tx:
            return tx.audit_entries(query, limit)

    def usernames(self) -> list[tuple[str, str]]:
        """(username, name) of everyone who appears in the log or has an account, for the filter."""
        self._access.require(Permission.VIEW_AUDIT)
        with self._storage.transaction() as tx:
            names = dict(tx.audit_users())
            names.update((u.username, u.display_name) for u in tx.list_users())
        return sorted(names.items())

    def history(self, record_type: str, record_id: int) -> list[AuditEntry]:
        """Everything that happened to one record, newest first."""
        return self.entries(AuditFilter(record_type=record_type, record_id=record_id), limit=None)

    def verify(self) -> ChainReport:
        """Walk the whole chain; the report names the first entry edited, deleted or inserted."""
        self._access.require(Permission.VIEW_AUDIT)
        with self._storage.transaction() as tx:
            return verify_chain(tx.audit_chain(), tx.audit_head())

    def export(self, path: Path, query: AuditFilter = _EVERYTHING) -> int:
        """Write the matching entries to an .xlsx file; the export itself is logged. Returns the count."""
        actor = self._access.require(Permission.VIEW_AUDIT)
        if self._writer is None:
            raise RuntimeError("AuditService was built without a spreadsheet writer")
        entries = self.entries(query, limit=None)
        try:
            self._writer(path, entries)
        except OSError as exc:
            raise StorageError(
                f"无法写入文件“{path.name}”，操作日志没有导出。",
                "如果这个文件正在 Excel 或 WPS 中打开，请先关闭它；也可能是文件夹只读、U盘已拔出或磁盘已满。"
                "请换一个文件夹或文件名再导出。",
            ) from exc
        with self._storage.transaction(actor) as tx:
            tx.record_event(AuditAction.EXPORT, "操作日志", None, f"{len(entries)}条 → {path.name}")
        return len(entries)
