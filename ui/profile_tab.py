"""本村信息: the village profile form (name and place, collective, public contacts, seals)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.fonts import set_font_scale
from ui.forms import FieldErrors, make_error_label
from ui.operations import OperationRunner
from ui.permissions import allow, can
from ui.person_fields import alive, weak_handler, weak_slot, with_error_label
from ui.save_bar import SaveBar
from village_desk.accounts import Permission
from village_desk.codes import normalize_code, uscc_problem
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError
from village_desk.village import (
    CITY_KINDS,
    COUNTY_KINDS,
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    VillageProfile,
)

_TEXT_FIELDS = (
    "name",
    "township",
    "county",
    "city",
    "org_name",
    "uscc",
    "address",
    "supervision_phone",
    "complaint_phone",
    "seal_committee",
    "seal_party",
    "seal_org",
    "seal_supervision",
)
_KIND_FIELDS = {
    "kind": VILLAGE_KINDS,
    "township_kind": TOWNSHIP_KINDS,
    "county_kind": COUNTY_KINDS,
    "city_kind": CITY_KINDS,
}


class ProfileTab(QWidget):
    """Edit the village profile; errors appear beside their fields."""

    changed = Signal()

    def __init__(self, ctx: AppContext, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._profile: VillageProfile | None = None
        self._loaded = False
        self._editable: bool | None = None  # as last shown

        self.edits: dict[str, QLineEdit] = {}
        for name in _TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"{name}Edit")
            edit.setMaxLength(100)
            edit.setMinimumWidth(220)
            self.edits[name] = edit
        self.kinds: dict[str, QComboBox] = {}
        for name, choices in _KIND_FIELDS.items():
            combo = QComboBox()
            combo.setObjectName(f"{name}Combo")
            combo.addItems(list(choices))
            combo.setMinimumWidth(90)
            self.kinds[name] = combo

        e = self.edits
        e["name"].setMaxLength(30)
        e["name"].setPlaceholderText("例如：小大歹（不含“村”字）")
        e["township"].setPlaceholderText("例如：甘旗卡")
        e["county"].setPlaceholderText("例如：科尔沁左翼后")
        e["city"].setPlaceholderText("例如：通辽")
        e["org_name"].setPlaceholderText("例如：小大歹村股份经济合作社")
        e["uscc"].setMaxLength(24)
        e["uscc"].setPlaceholderText("18位，见集体经济组织登记证书")
        e["address"].setPlaceholderText("公示材料上写的办公地址")
        e["supervision_phone"].setPlaceholderText("例如：0475-1234567")
        e["complaint_phone"].setPlaceholderText("例如：12317")
        e["address"].setMaxLength(120)
        self.uscc_error = make_error_label()
        self.uscc_error.setObjectName("fieldError_uscc")

        self.place_label = QLabel()
        self.place_label.setObjectName("placePreview")
        self.place_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.place_label.setWordWrap(True)
        set_font_scale(self.place_label, 1.1, bold=True)

        # 名称与隶属
        place_form = _form()
        place_form.addRow("村（嘎查）名称：", _pair(e["name"], self.kinds["kind"]))
        place_form.addRow("所属乡镇（苏木）：", _pair(e["township"], self.kinds["township_kind"]))
        place_form.addRow("所属旗县（市、区）：", _pair(e["county"], self.kinds["county_kind"]))
        place_form.addRow("所属盟市：", _pair(e["city"], self.kinds["city_kind"]))
        place_form.addRow("完整名称：", self.place_label)
        # 集体经济组织
        org_form = _form()
        org_form.addRow("组织名称：", e["org_name"])
        org_form.addRow("统一社会信用代码：", with_error_label(e["uscc"], self.uscc_error))
        # 公示信息
        public_form = _form()
        public_form.addRow("办公地址：", e["address"])
        public_form.addRow("监督电话：", e["supervision_phone"])
        public_form.addRow("举报电话：", e["complaint_phone"])
        # 印章名称
        seal_form = _form()
        seal_form.addRow("村民委员会印章：", e["seal_committee"])
        seal_form.addRow("党组织印章：", e["seal_party"])
        seal_form.addRow("集体经济组织印章：", e["seal_org"])
        seal_form.addRow("村务监督委员会印章：", e["seal_supervision"])
        seal_hint = QLabel("不填时按常用写法（框中灰字）保存；请与印章上的文字一致。")
        seal_hint.setWordWrap(True)
        seal_form.addRow("", seal_hint)

        self.save_bar = SaveBar(self, "本村信息")
        self.general_label = self.save_bar.general_label
        self.saved_label = self.save_bar.saved_label
        self.save_button = self.save_bar.save_button
        self.revert_button = self.save_bar.revert_button
        self.read_only_label = self.save_bar.read_only_label

        self._forms = (place_form, org_form, public_form, seal_form)
        self._align_labels()
        content = QWidget()
        content.setMaximumWidth(920)  # very long inputs are hard to read on a wide screen
        column = QVBoxLayout(content)
        column.addWidget(_group("名称与隶属", place_form))
        column.addWidget(_group("集体经济组织", org_form))
        column.addWidget(_group("公示信息", public_form))
        column.addWidget(_group("印章名称", seal_form))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_label)
        layout.addLayout(self.save_bar.row)

        fields: dict[str, QWidget] = {}
        for name in (
            "name",
            "kind",
            "township",
            "township_kind",
            "county",
            "county_kind",
            "city",
            "city_kind",
        ):
            fields[name] = e[name] if name in e else self.kinds[name]
        for name in _TEXT_FIELDS:
            fields.setdefault(name, e[name])
        self.errors = FieldErrors(fields, labels={"uscc": self.uscc_error}, general=self.general_label)

        for name in ("name", "township", "county", "city", "org_name"):
            e[name].textChanged.connect(self._on_place_changed)
        for combo in self.kinds.values():
            combo.currentIndexChanged.connect(self._on_place_changed)
        e["uscc"].editingFinished.connect(self._on_uscc_edit_editing_finished)
        e["name"].returnPressed.connect(self._on_save_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self._on_place_changed()
        self._apply_access()

    # --- public -----------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the profile; edits not yet saved stay in the form."""
        self._apply_access()
        self._runner.run(self._ctx.village.profile, weak_slot(self._on_loaded), label="正在读取本村信息…")

    def profile(self) -> VillageProfile:
        """The profile as typed (with the version of the one loaded)."""
        base = self._profile or VillageProfile(name="")
        values: dict[str, str] = {name: edit.text() for name, edit in self.edits.items()}
        values.update({name: combo.currentText() for name, combo in self.kinds.items()})
        return replace(base, **values)  # type: ignore[arg-type]

    def discard_edits(self) -> None:
        """Drop what was typed and not saved (another user signs in: it is not theirs to save)."""
        if self._loaded:
            self._show(self._profile)

    def is_modified(self) -> bool:
        return self._loaded and self.profile() != (self._profile or VillageProfile(name=""))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._align_labels()

    def _align_labels(self) -> None:
        # One label column for all four groups, so the inputs line up.
        labels: list[QLabel] = []
        for form in self._forms:
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                widget = item.widget() if item is not None else None
                if isinstance(widget, QLabel):
                    labels.append(widget)
        for label in labels:
            label.setMinimumWidth(0)
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # --- loading and saving -------------------------------------------------------
    def _on_loaded(self, profile: VillageProfile | None) -> None:
        if not alive(self):
            return
        if self.is_modified():
            # Keep what the clerk is typing; the old version makes a clash visible on save.
            return
        self._show(profile)

    def _show(self, profile: VillageProfile | None) -> None:
        self._profile = profile
        shown = profile or VillageProfile(name="")
        for name, edit in self.edits.items():
            edit.setText(getattr(shown, name))
            edit.setCursorPosition(0)
        for name, combo in self.kinds.items():
            combo.setCurrentText(getattr(shown, name))
        self._loaded = True
        self.errors.clear()
        self._on_place_changed()

    def _apply_access(self) -> None:
        """Read-only for users without the right to change 本村信息."""
        editable = can(self._ctx, Permission.EDIT_SETTINGS)
        if editable == self._editable:
            return  # (a save in progress keeps its button disabled)
        self._editable = editable
        for edit in self.edits.values():
            edit.setReadOnly(not editable)
        for combo in self.kinds.values():
            combo.setEnabled(editable)
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)
        allow(editable, self.save_button, self.revert_button)
        self.read_only_label.setVisible(not editable)

    def _on_save_button_clicked(self) -> None:
        if not self.save_button.isEnabled():
            return  # Enter in a read-only form
        profile = self.profile()
        service = self._ctx.village
        self.errors.clear()
        self.saved_label.clear()
        self.save_button.setEnabled(False)
        self._runner.run(
            lambda: service.save_profile(profile),
            weak_slot(self._on_saved),
            on_failure=weak_handler(self._on_save_failed),
            label="正在保存本村信息…",
        )

    def _on_saved(self, profile: VillageProfile) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(True)
        self._show(profile)
        self.save_bar.show_saved()
        self.changed.emit()

    def _on_save_failed(self, error: VillageDeskError) -> bool:
        if not alive(self):
            return False
        self.save_button.setEnabled(True)
        return self.errors.handle(error)

    def _on_revert_button_clicked(self) -> None:
        # Read again rather than restore the copy in hand: after a clash this brings the other change in.
        self._runner.run(self._ctx.village.profile, weak_slot(self._show), label="正在读取本村信息…")

    # --- live feedback ------------------------------------------------------------
    def _on_place_changed(self, *_args: object) -> None:
        p = self.profile()
        self.place_label.setText(p.place if p.name.strip() else "（请先填写村名）")
        full = p.full_name if p.name.strip() else "某某村"
        e = self.edits
        e["seal_committee"].setPlaceholderText(f"{full}村民委员会")
        e["seal_party"].setPlaceholderText(f"中共{full}支部委员会")
        e["seal_org"].setPlaceholderText(p.org_name.strip() or "同集体经济组织名称")
        e["seal_supervision"].setPlaceholderText(f"{full}村务监督委员会")

    def _on_uscc_edit_editing_finished(self) -> None:
        # Checked as the clerk leaves the field: the check character catches most typos.
        edit = self.edits["uscc"]
        code = normalize_code(edit.text())
        problem = uscc_problem(code) if code else None
        if code != edit.text():
            edit.setText(code)
        self.uscc_error.setText(problem or "")
        self.uscc_error.setVisible(bool(problem))


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _group(title: str, form: QFormLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(form)
    return box


def _pair(edit: QLineEdit, combo: QComboBox) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(combo)
    return row
