"""What the signed-in user may do, for hiding what they may not (the services still check)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from village_desk.accounts import Permission
from village_desk.context import AppContext


def can(ctx: AppContext, permission: Permission) -> bool:
    """True when someone is signed in to ``ctx`` and holds ``permission``."""
    actor = ctx.access.actor
    return actor is not None and actor.can(permission)


def allow(allowed: bool, *widgets: QWidget) -> None:
    """Show ``widgets`` only when ``allowed``; hidden ones are also disabled (no double-click way in).

    When allowed, whether they are enabled is left to the caller (it depends on the selection).
    """
    for widget in widgets:
        widget.setVisible(allowed)
        if not allowed:
            widget.setEnabled(False)
