"""Settings kept with the data (idle lock, backup folder): read by anyone, changed by 管理员."""

from __future__ import annotations

from dataclasses import replace

from village_desk.accounts import Access, Permission
from village_desk.errors import ValidationError
from village_desk.office import OfficeSettings, settings_problems
from village_desk.storage import Storage


class OfficeService:
    def __init__(self, storage: Storage, access: Access) -> None:
        self._storage = storage
        self._access = access

    def settings(self) -> OfficeSettings:
        """Readable before login too: the idle lock and automatic backup need it."""
        with self._storage.transaction() as tx:
            return tx.get_settings()

    def save_settings(self, settings: OfficeSettings) -> OfficeSettings:
        actor = self._access.require(Permission.EDIT_SETTINGS)
        settings = replace(settings, backup_dir=settings.backup_dir.strip())
        errors = settings_problems(settings)
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(actor) as tx:
            return tx.save_settings(settings)
