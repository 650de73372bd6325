"""会议决定公告: the facts of the meeting asked for first, so the draft starts filled in.

The body that met, the day and place, how many should have come and came, the
decisions (one per line) and the vote. Attendance is checked against the
body's quorum (``notice_templates.quorum_met``): the notice says 符合规定人数
only when it was met; when it was not, the dialog says so plainly, and the
clerk may still make the draft (to correct the numbers in the editor).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.person_fields import (
    OK_COLOR,
    WARNING_COLOR,
    color_label,
    date_of,
    dialog_buttons,
    make_date_edit,
)
from village_desk.notice_templates import QUORUM_RULES, MeetingFacts, quorum_met

BODIES = ("村民代表会议", "村民会议", "党员大会", "村“两委”联席会议", "村民小组会议")
MAX_ATTENDANCE = 99_999
_CN_NUMBERS = "零一二三四五六七八九十"


class MeetingFactsDialog(QDialog):
    """Asks for a meeting's facts; ``facts()`` is what the 会议决定公告 is made from."""

    def __init__(self, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("meetingFactsDialog")
        self.setWindowTitle("会议决定公告：会议情况")
        self.setMinimumWidth(560)
        intro = QLabel("先填写会议的基本情况，公告正文会按这些内容写好，之后还可以在编辑窗口里修改。")
        intro.setWordWrap(True)
        self.body_combo = QComboBox()
        self.body_combo.setObjectName("bodyCombo")
        self.body_combo.setEditable(True)
        self.body_combo.addItems(BODIES)
        self.date_edit = make_date_edit(today or dt.date.today())
        self.date_edit.setObjectName("heldOnEdit")
        self.place_edit = QLineEdit("村委会会议室")
        self.place_edit.setObjectName("placeEdit")
        self.expected_spin = self._count_spin("expectedSpin")
        self.present_spin = self._count_spin("presentSpin")
        self.quorum_label = QLabel()
        self.quorum_label.setObjectName("quorumLabel")
        self.quorum_label.setWordWrap(True)
        self.decisions_edit = QPlainTextEdit()
        self.decisions_edit.setObjectName("decisionsEdit")
        self.decisions_edit.setPlaceholderText(
            "每行写一项决定，例如：\n同意实施第二村民小组巷道硬化项目，长1.2公里，预算资金36万元"
        )
        self.decisions_edit.setMinimumHeight(110)
        self.votes_edit = QLineEdit()
        self.votes_edit.setObjectName("votesEdit")
        self.votes_edit.setPlaceholderText("例如：同意29人，反对1人，弃权1人（可不填）")
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setWordWrap(True)
        color_label(self.problem_label, WARNING_COLOR)

        form = QFormLayout()
        form.addRow("会议：", self.body_combo)
        form.addRow("日期：", self.date_edit)
        form.addRow("地点：", self.place_edit)
        form.addRow("应到人数：", self.expected_spin)
        form.addRow("实到人数：", self.present_spin)
        form.addRow("", self.quorum_label)
        form.addRow("决定事项：", self.decisions_edit)
        form.addRow("表决结果：", self.votes_edit)
        self.buttons, self.ok_button = dialog_buttons(self, "写入公告")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.body_combo.currentTextChanged.connect(self._update_quorum)
        self.expected_spin.valueChanged.connect(self._update_quorum)
        self.present_spin.valueChanged.connect(self._update_quorum)
        self._update_quorum()

    def _count_spin(self, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(0, MAX_ATTENDANCE)
        spin.setSuffix(" 人")
        spin.setMinimumWidth(120)
        return spin

    def decisions(self) -> tuple[str, ...]:
        lines = (line.strip().rstrip("；;。") for line in self.decisions_edit.toPlainText().splitlines())
        return tuple(line for line in lines if line)

    def facts(self) -> MeetingFacts:
        body = self.body_combo.currentText().strip()
        expected, present = self.expected_spin.value(), self.present_spin.value()
        decisions = self.decisions()
        return MeetingFacts(
            body=body,
            held_on=date_of(self.date_edit),
            place=self.place_edit.text().strip() or "村委会会议室",
            expected=expected,
            present=present,
            decisions=tuple(f"{d}；" for d in decisions[:-1]) + tuple(f"{d}。" for d in decisions[-1:]),
            votes=self.votes_edit.text().strip().rstrip("。"),
            quorum_met=quorum_met(body, expected, present),
        )

    def _update_quorum(self, *_args: object) -> None:
        body = self.body_combo.currentText().strip()
        expected, present = self.expected_spin.value(), self.present_spin.value()
        met = quorum_met(body, expected, present)
        rule = QUORUM_RULES.get(body)
        if rule is None:
            text, color = "这种会议没有内置的到会人数规定，公告里不写“符合规定人数”。", WARNING_COLOR
        elif expected == 0:
            text, color = "请填写应到和实到人数。", WARNING_COLOR
        else:
            numerator, denominator, strictly = rule
            fraction = f"{_CN_NUMBERS[denominator]}分之{_CN_NUMBERS[numerator]}"
            need = f"过{fraction}" if strictly else f"至少{fraction}"
            need = "过半数" if (numerator, denominator, strictly) == (1, 2, True) else need
            if met:
                text, color = f"到会人数符合规定（{body}需要应到人数的{need}）。", OK_COLOR
            else:
                text = f"到会人数不够：{body}需要应到人数的{need}，这次会议的决定可能无效，请核实。"
                color = WARNING_COLOR
        self.quorum_label.setText(text)
        color_label(self.quorum_label, color)

    def _on_buttons_accepted(self) -> None:
        problems = []
        if not self.body_combo.currentText().strip():
            problems.append("请填写是什么会议。")
        if self.present_spin.value() > self.expected_spin.value():
            problems.append("实到人数不能多于应到人数。")
        if not self.decisions():
            problems.append("请至少写一项会议决定。")
        if problems:
            self.problem_label.setText("".join(problems))
            return
        self.accept()
