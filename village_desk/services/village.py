"""本村信息 and 村民小组 use cases."""

from __future__ import annotations

from dataclasses import replace

from village_desk.accounts import Access, Permission
from village_desk.errors import FieldError, ValidationError
from village_desk.ids import GroupId
from village_desk.storage import Storage
from village_desk.village import (
    VillageGroup,
    VillageProfile,
    default_group_name,
    group_problems,
    normalize_profile,
    profile_problems,
)


class VillageService:
    """Reading needs 查看; the profile needs 修改设置 (管理员); groups need 维护名册."""

    def __init__(self, storage: Storage, access: Access) -> None:
        self._storage = storage
        self._access = access

    def profile(self) -> VillageProfile | None:
        """The village profile, or ``None`` before the first set-up.

        Readable before login: the login dialog shows the village's name, and
        the profile is public (it heads every notice)."""
        with self._storage.transaction() as tx:
            return tx.get_profile()

    def save_profile(self, profile: VillageProfile) -> VillageProfile:
        """Validate and save; raises ``ValidationError`` with every field problem."""
        actor = self._access.require(Permission.EDIT_SETTINGS)
        errors = profile_problems(profile)
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(actor) as tx:
            return tx.save_profile(normalize_profile(profile).with_default_seals())

    def set_up(self, profile: VillageProfile, group_count: int) -> VillageProfile:
        """First start: the profile and ``group_count`` numbered groups, in one transaction."""
        actor = self._access.require(Permission.EDIT_SETTINGS)
        errors = profile_problems(profile)
        if not 0 <= group_count <= 99:
            errors.append(FieldError("group_count", "村民小组数应在0到99之间。"))
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(actor) as tx:
            saved = tx.save_profile(normalize_profile(profile).with_default_seals())
            for n in range(1, group_count + 1):
                tx.save_group(VillageGroup(id=None, number=n, name=default_group_name(n)))
            return saved

    def groups(self, include_closed: bool = False) -> list[VillageGroup]:
        self._access.require(Permission.VIEW)
        with self._storage.transaction() as tx:
            groups = tx.list_groups()
        groups.sort(key=lambda g: (not g.is_open, g.number))
        return groups if include_closed else [g for g in groups if g.is_open]

    def save_group(self, group: VillageGroup) -> VillageGroup:
        actor = self._access.require(Permission.EDIT_ROSTER)
        group = replace(group, name=group.name.strip(), leader_name=group.leader_name.strip())
        with self._storage.transaction(actor) as tx:
            errors = group_problems(group, tx.list_groups())
            if errors:
                raise ValidationError(errors)
            return tx.save_group(group)

    def close_group(self, group_id: GroupId, reason: str) -> VillageGroup:
        """Close (merge or dissolve) a group; it stays in the history."""
        actor = self._access.require(Permission.EDIT_ROSTER)
        if not reason.strip():
            raise ValidationError.single("closed_reason", "请填写撤销原因，例如“并入第二村民小组”。")
        with self._storage.transaction(actor) as tx:
            group = tx.get_group(group_id)
            return tx.save_group(replace(group, closed_reason=reason.strip()))
