"""Typed ids, so a group id is never passed where a person id belongs."""

from typing import NewType

GroupId = NewType("GroupId", int)
PersonId = NewType("PersonId", int)
PostId = NewType("PostId", int)
PartyMemberId = NewType("PartyMemberId", int)
RepresentativeId = NewType("RepresentativeId", int)
HouseholdId = NewType("HouseholdId", int)
KinshipId = NewType("KinshipId", int)
UserId = NewType("UserId", int)
