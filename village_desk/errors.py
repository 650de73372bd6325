"""The errors the core raises.

Every message is a complete Chinese sentence a clerk understands: what is
wrong and what to do. The UI shows them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


class VillageDeskError(Exception):
    """Base of every error the application expects and explains."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` names the record attribute."""

    field: str
    message: str


class ValidationError(VillageDeskError):
    """Input that breaks a rule; carries every field problem at once."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors = tuple(errors)
        text = "；".join(e.message for e in self.errors) or "输入有误。"
        super().__init__(text)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldError(field, message)])


class NotFoundError(VillageDeskError):
    """The record asked for does not exist (any more)."""


class ConflictError(VillageDeskError):
    """The record was changed by someone else, or the change clashes with another record."""


class AccessDeniedError(VillageDeskError):
    """The current user may not do this."""


class StorageError(VillageDeskError):
    """The database could not be read or written; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}{self.hint}" if self.hint else self.message


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of 村务通."""


class MigrationError(StorageError):
    """Upgrading the database failed; the original is intact."""

    def __init__(self, message: str, hint: str = "", backup_path: str | None = None) -> None:
        super().__init__(message, hint)
        self.backup_path = backup_path


class DamagedDatabaseError(StorageError):
    """The database file failed the integrity check: it was not opened; restore it from a backup."""

    def __init__(
        self,
        message: str = "数据文件已损坏，为了不让损坏扩大，村务通没有打开它。",
        hint: str = "可以从备份恢复：选一份最近的完好备份恢复即可，损坏的文件会另外保留，不会删除。",
    ) -> None:
        super().__init__(message, hint)


class InstanceLockedError(StorageError):
    """Another 村务通 has the SQLite file open (its lock file names who and where)."""

    def __init__(self, user: str, host: str, started: str, same_place: bool = False) -> None:
        self.user = user
        self.host = host
        self.started = started
        since = f"（{started}起）" if started else ""
        if same_place:
            message = (
                f"这个数据文件已经由用户“{user}”在这台电脑（{host}）上用村务通打开了{since}，不能再打开一次。"
            )
            hint = "请切换到已经打开的村务通窗口；如果找不到它，请稍等片刻再试，或重新启动电脑。"
        else:
            who = f"用户“{user}”" if user else "另一位用户"
            where = f"在电脑“{host}”上" if host else "在另一台电脑上"
            message = f"这个数据文件正被{who}{where}使用{since}，同一个数据文件同时只能由一个村务通打开。"
            hint = (
                f"请先在{host or '那台电脑'}上关闭村务通，再打开；如果那边的村务通已经关闭，请稍等片刻再试。"
            )
        super().__init__(message, hint)
