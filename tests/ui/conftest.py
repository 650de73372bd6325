"""Fixtures for the window tests: a real temp SQLite database, a runner, isolated settings.

Every test here gets its own QSettings folder and organisation name, so a
developer's own 村务通 settings are never read or written, and the
application font is put back after each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from ui.fonts import install_fonts
from ui.operations import OperationRunner
from village_desk.accounts import MACHINE
from village_desk.app import open_context
from village_desk.context import AppContext
from village_desk.village import VillageProfile

PROFILE = VillageProfile(
    name="小大歹",
    kind="村",
    township="甘旗卡",
    township_kind="镇",
    county="科尔沁左翼后",
    county_kind="旗",
    city="通辽",
    city_kind="市",
    org_name="小大歹村股份经济合作社",
    supervision_phone="0475-1234567",
)
GROUP_COUNT = 3


@pytest.fixture(scope="session", autouse=True)
def chinese_app(qapp: QApplication) -> QApplication:
    """The shared QApplication as the program sets it up: Chinese locale and a Chinese font."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_fonts(qapp)
    return qapp


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> Iterator[Path]:
    """QSettings in a fresh temp folder under a test organisation; font and names restored after."""
    folder = tmp_path_factory.mktemp("settings")
    names = (QCoreApplication.organizationName(), QCoreApplication.applicationName())
    font = QFont(qapp.font())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "user"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, str(folder / "system"))
    QCoreApplication.setOrganizationName("VillageDeskTest")
    QCoreApplication.setApplicationName(f"test-{folder.name}")
    yield folder
    QCoreApplication.setOrganizationName(names[0])
    QCoreApplication.setApplicationName(names[1])
    qapp.setFont(font)


@pytest.fixture(autouse=True)
def close_leftover_windows(qapp: QApplication) -> Iterator[None]:
    """A test that fails half-way must not leave message boxes for the next one to find."""
    yield
    for widget in qapp.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    qapp.processEvents()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"  # not created: the crash dialog must create it


@pytest.fixture
def make_ctx(data_dir: Path, log_dir: Path) -> Iterator[Callable[..., AppContext]]:
    """Open (creating) a SQLite database in the temp data dir through the real composition root."""
    opened: list[AppContext] = []

    def make(file: str = "village.sqlite3", *, allow_demo_switch: bool = False) -> AppContext:
        url = f"sqlite:///{(data_dir / file).as_posix()}"
        ctx = open_context(url, data_dir, log_dir, demo=False, allow_demo_switch=allow_demo_switch)
        ctx.access.sign_in(MACHINE)  # tests of the login itself sign out first
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def empty_ctx(make_ctx: Callable[..., AppContext]) -> AppContext:
    """A new database without a village profile (first start)."""
    return make_ctx()


@pytest.fixture
def ctx(empty_ctx: AppContext) -> AppContext:
    """A database with the profile of 小大歹村 and three 村民小组."""
    empty_ctx.village.set_up(PROFILE, GROUP_COUNT)
    return empty_ctx


@pytest.fixture
def runner(qtbot: Any, log_dir: Path) -> Iterator[OperationRunner]:
    """A runner owned by a plain (shown) widget; shut down after the test."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    runner = OperationRunner(parent, log_dir)
    yield runner
    runner.shutdown()


@pytest.fixture
def wait_idle(qtbot: Any) -> Callable[..., AbstractContextManager[Any]]:
    """``with wait_idle(runner): runner.run(...)`` returns once the callbacks ran."""

    def wait(runner: OperationRunner, timeout: int = 10_000) -> AbstractContextManager[Any]:
        return qtbot.waitSignal(runner.idle, timeout=timeout)  # type: ignore[no-any-return]

    return wait


@pytest.fixture
def settle(qtbot: Any) -> Callable[[OperationRunner], None]:
    """Wait until ``runner`` has nothing queued (operations already started elsewhere)."""

    def wait(runner: OperationRunner, timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)

    return wait


def visible_top_levels(kind: type[QWidget] = QWidget) -> list[QWidget]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return [w for w in app.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
