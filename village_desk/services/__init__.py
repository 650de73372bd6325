"""Use cases: one method, one transaction. The UI and the command line call these."""

from village_desk.services.roster import RosterService
from village_desk.services.village import VillageService

__all__ = ["RosterService", "VillageService"]
