"""An ID number input that says what is wrong while the clerk types (domain §6).

``IdNumberField(ctx)`` is a line edit with a message under it, checked by
``ctx.register.check_id_number`` shortly after each keystroke and on leaving the
field:

- a wrong length, date or check character: the problem in red (an error);
- an unknown area code: a warning in amber (saving is still allowed);
- a number already registered: “已登记：张三（0312户）— 打开该户”, the last part a
  link that emits ``open_household(household_id)``.

The check is one indexed lookup, run on the GUI thread: a worker round trip
would make the message lag behind the typing for no gain. ``checked`` carries
the ``IdCheck`` so a form can fill gender and birth date from a valid number.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.person_fields import color_label, grow_to_fit
from village_desk.codes import normalize_code
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.ids import PersonId
from village_desk.register import IdCheck
from village_desk.roster import Person

CHECK_DELAY_MS = 600  # a partial number is checked after this pause
ERROR_COLOR = QColor("#b00020")
WARNING_COLOR = QColor("#8a4b00")
ID_LENGTH = 18


class IdNumberField(QWidget):
    """身份证号码 with its live check; ``person_id``: the person being edited (not a duplicate of itself)."""

    checked = Signal(object)  # the IdCheck (None when the field is empty)
    open_household = Signal(int)  # the link of an already registered number was clicked

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, person_id: PersonId | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._person_id = person_id
        self._result: IdCheck | None = None
        self._checked_number: str | None = None

        self.edit = QLineEdit()
        self.edit.setObjectName("idNumberEdit")
        self.edit.setMaxLength(22)
        self.edit.setPlaceholderText("18位居民身份证号码")
        self.edit.setAccessibleName("身份证号码")
        self.message_label = QLabel()
        self.message_label.setObjectName("idNumberMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.message_label.setOpenExternalLinks(False)
        self.message_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message_label)
        self.setFocusProxy(self.edit)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.message_label.linkActivated.connect(self._on_message_label_link_activated)

    # --- public -------------------------------------------------------------------
    def text(self) -> str:
        """The number as typed, trimmed and upper-cased (x → X), spaces dropped."""
        return normalize_code(self.edit.text())

    def set_text(self, number: str) -> None:
        """Fill the field (a loaded record) and check it at once."""
        self.edit.setText(number)
        self.check()

    def set_person(self, person_id: PersonId | None) -> None:
        """The person whose number this is (their own record is no duplicate)."""
        self._person_id = person_id
        self._checked_number = None

    def result(self) -> IdCheck | None:
        """The last check (None: empty, or not checked yet)."""
        return self._result

    def problem(self) -> str | None:
        return self._result.problem if self._result is not None else None

    def warning(self) -> str | None:
        return self._result.warning if self._result is not None else None

    def is_duplicate(self) -> bool:
        """The number belongs to someone already in a household (saving it again is refused)."""
        return self._result is not None and self._result.existing_household is not None

    def roster_person(self) -> Person | None:
        """Someone on the roster with this number but in no household: the record to use."""
        result = self._result
        if result is None or result.existing is None or result.existing_household is not None:
            return None
        return result.existing

    def message(self) -> str:
        """The message shown under the field, as plain text ('' when none)."""
        if self.message_label.isHidden():
            return ""
        return self.message_label.property("plainText") or ""

    def check(self) -> IdCheck | None:
        """Check the number now and show what is wrong; returns the check (None when empty)."""
        self._timer.stop()
        number = self.text()
        if number == self._checked_number:
            return self._result
        self._checked_number = number
        if not number:
            self._result = None
            self._show("", "")
            self.checked.emit(None)
            return None
        try:
            result = self._ctx.register.check_id_number(number, self._person_id)
        except VillageDeskError as error:
            self._result = None
            self._checked_number = None  # try again next time
            self._show(html.escape(error.message), error.message, ERROR_COLOR)
            return None
        self._result = result
        self._show_result(result)
        self.checked.emit(result)
        return result

    # --- internals ------------------------------------------------------------------
    def _show_result(self, result: IdCheck) -> None:
        if result.existing is not None:
            person = result.existing
            where = result.existing_household
            if where is not None and where.id is not None:
                plain = f"已登记：{person.name}（{where.number}户）— 打开该户"
                rich = (
                    f"已登记：{html.escape(person.name)}（{html.escape(where.number)}户）— "
                    f'<a href="household:{int(where.id)}">打开该户</a>'
                )
                self._show(rich, plain, ERROR_COLOR)
            else:
                # On the roster (a cadre, a representative) but in no household: the same person.
                plain = f"名册中已有此人：{person.name}（还没有编入哪一户），保存时使用这条记录。"
                self._show(html.escape(plain), plain, WARNING_COLOR)
        elif result.problem:
            self._show(html.escape(result.problem), result.problem, ERROR_COLOR)
        elif result.warning:
            self._show(html.escape(result.warning), result.warning, WARNING_COLOR)
        else:
            self._show("", "")

    def _show(self, rich: str, plain: str, color: QColor | None = None) -> None:
        self.message_label.setProperty("plainText", plain)
        if not rich:
            self.message_label.clear()
            self.message_label.hide()
            return
        if color is not None:
            color_label(self.message_label, color)
        self.message_label.setText(rich)
        self.message_label.show()
        grow_to_fit(self)

    def _on_edit_text_edited(self, _text: str) -> None:
        # A full number is checked at once; a partial one only after a pause (no nagging mid-typing).
        if len(self.text()) >= ID_LENGTH:
            self.check()
        else:
            self._timer.start()

    def _on_edit_editing_finished(self) -> None:
        number = self.text()
        if number != self.edit.text():
            self.edit.setText(number)
        self.check()

    def _on_message_label_link_activated(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "household" and value.isdigit():
            self.open_household.emit(int(value))
