"""Use cases: one method, one transaction. The UI and the command line call these."""

from village_desk.services.accounts import AccountService
from village_desk.services.audit import AuditService
from village_desk.services.office import OfficeService
from village_desk.services.register import RegisterService
from village_desk.services.roster import RosterService
from village_desk.services.village import VillageService

__all__ = [
    "AccountService",
    "AuditService",
    "OfficeService",
    "RegisterService",
    "RosterService",
    "VillageService",
]
