"""What the composition root hands to the window: services and facts about the session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from village_desk.services import RosterService, VillageService


@dataclass(frozen=True)
class AppContext:
    village: VillageService
    roster: RosterService
    location: str  # shown in the status bar: file path, or host/database
    data_dir: Path
    log_dir: Path
    is_demo: bool = False
    # Set when the session may switch to the demo village (first-start dialog):
    # closes this storage, opens (and builds if needed) the demo database.
    open_demo: Callable[[], AppContext] | None = None
    # Closes the storage behind the services (folds SQLite's WAL back into the file).
    close_storage: Callable[[], None] = lambda: None

    def close(self) -> None:
        """Release the database; the services must not be used afterwards."""
        self.close_storage()
