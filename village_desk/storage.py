"""What the services need from storage, as Protocols. ``db`` implements them.

A ``Storage`` opens one ``Transaction`` per operation (unit of work): the
context commits on a clean exit and rolls back on any exception, so every
write is all-or-nothing. Records go in and come out; never ORM objects.

Saving a record whose ``id`` is ``None`` inserts it (``version`` becomes 1).
Saving a record with an id updates it only if its ``version`` is still the
stored one, else raises ``ConflictError``; the stored version is then bumped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from village_desk.ids import GroupId, PersonId
from village_desk.roster import (
    Household,
    Kinship,
    PartyMember,
    Person,
    Post,
    Representative,
)
from village_desk.village import VillageGroup, VillageProfile


class Transaction(Protocol):
    def get_profile(self) -> VillageProfile | None: ...
    def save_profile(self, profile: VillageProfile) -> VillageProfile: ...

    def list_groups(self) -> list[VillageGroup]: ...
    def get_group(self, group_id: GroupId) -> VillageGroup: ...
    def save_group(self, group: VillageGroup) -> VillageGroup: ...

    def list_people(self) -> list[Person]: ...
    def get_person(self, person_id: PersonId) -> Person: ...
    def save_person(self, person: Person) -> Person: ...

    def list_posts(self) -> list[Post]: ...
    def save_post(self, post: Post) -> Post: ...

    def list_party_members(self) -> list[PartyMember]: ...
    def save_party_member(self, member: PartyMember) -> PartyMember: ...

    def list_households(self) -> list[Household]: ...
    def save_household(self, household: Household) -> Household: ...

    def list_representatives(self) -> list[Representative]: ...
    def save_representative(self, rep: Representative) -> Representative: ...

    def list_kinships(self) -> list[Kinship]: ...
    def save_kinship(self, kinship: Kinship) -> Kinship: ...


class Storage(Protocol):
    @property
    def location(self) -> str:
        """Where the data lives, for the status bar (a file path, or host/database)."""
        ...

    def transaction(self) -> AbstractContextManager[Transaction]:
        """One unit of work; storage failures surface as ``StorageError``."""
        ...

    def close(self) -> None: ...


class DeferredStorage:
    """A ``Storage`` opened once, on first use or by ``open()``, on whatever thread asks first.

    Lets the window show before the database (and SQLAlchemy) has been loaded:
    the opener runs on a worker thread while the window paints. The outcome is
    kept: a failure to open is raised again to every later caller rather than
    retried behind the clerk's back.
    """

    def __init__(self, opener: Callable[[], Storage], location: str = "") -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._storage: Storage | None = None
        self._failure: BaseException | None = None
        self._preliminary_location = location

    @property
    def is_open(self) -> bool:
        return self._storage is not None

    @property
    def location(self) -> str:
        """The opened storage's own description, or what was known before opening."""
        return self._storage.location if self._storage is not None else self._preliminary_location

    def open(self) -> Storage:
        with self._lock:
            if self._storage is None:
                if self._failure is not None:
                    raise self._failure
                try:
                    self._storage = self._opener()
                except BaseException as error:
                    self._failure = error
                    raise
            return self._storage

    def transaction(self) -> AbstractContextManager[Transaction]:
        return self.open().transaction()

    def close(self) -> None:
        with self._lock:
            if self._storage is not None:
                self._storage.close()
