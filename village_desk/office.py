"""Settings of the office that live in the database (changed by the administrator, audited)."""

from __future__ import annotations

from dataclasses import dataclass

from village_desk.errors import FieldError

DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240


@dataclass(frozen=True)
class OfficeSettings:
    """``idle_lock_minutes`` 0 means never lock; ``backup_dir`` empty means the data folder's ``备份``."""

    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    backup_dir: str = ""
    version: int = 0


def settings_problems(settings: OfficeSettings) -> list[FieldError]:
    if not 0 <= settings.idle_lock_minutes <= MAX_IDLE_LOCK_MINUTES:
        return [
            FieldError(
                "idle_lock_minutes",
                f"无操作锁定时间应在0到{MAX_IDLE_LOCK_MINUTES}分钟之间（0表示不锁定）。",
            )
        ]
    return []
