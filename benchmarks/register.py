"""How fast the 农户档案 answers at a township's scale: a script that prints numbers, not a test.

    python benchmarks/register.py [--households 20000] [--runs 7] [--dir DIR] [--rebuild]

The database (SQLite) is built once and kept under ``--dir`` (default: the system's temp folder,
``village-desk-bench/``): 小大歹村's profile and 6 groups, and ``--households`` households made by the
demo's generator (``demo_register.register_households``: about 3.5 members each) imported in one
transaction through ``RegisterService.import_households`` — not the slow one-household-at-a-time path.
The build runs in a child process, so its memory does not count in the peak RSS below.

Measured in this process, median of ``--runs`` (the first, cold, run is shown apart and not counted):
- the service: ``RegisterService.page`` for the first 100 lines, unfiltered; with a search text of
  one, two and three characters (Chinese and pinyin initials); with a group filter; and both;
- the window (offscreen Qt), when ``ui/register_page.py`` and ``ui/household_window.py`` are there:
  creating and showing the 农户档案 page until its first screen of rows is painted; each search
  keystroke (text set in the search box, then the page's ``reload()`` — the query its 10 ms
  coalescing timer runs — until the rows are updated and painted); a group chosen in the filter;
  opening a household window until it shows its dossier;
- the process's peak RSS (``ru_maxrss``) after all of it.
Targets: first screen < 300 ms, keystroke < 100 ms, household window < 200 ms, RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_SCREEN_MS = 300.0
KEYSTROKE_MS = 100.0
WINDOW_MS = 200.0
RSS_MB = 300.0
BUILD_DAY = dt.date(2026, 11, 30)  # fixed, so a kept database stays the same one


def peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def database_path(folder: Path, households: int) -> Path:
    return folder / f"register-{households}.sqlite3"


def build(path: Path, households: int) -> None:
    """小大歹村 with ``households`` generated households (runs in a child process)."""
    from db import open_storage, sqlite_url
    from village_desk.accounts import MACHINE, Access, Actor, Role
    from village_desk.demo import GROUP_COUNT, demo_profile
    from village_desk.demo_register import register_households
    from village_desk.services import RegisterService, VillageService
    from village_desk.services.notices import NoticeService

    storage = open_storage(sqlite_url(path))
    machine = Access(MACHINE)
    village = VillageService(storage, machine)
    village.set_up(demo_profile(), GROUP_COUNT)
    groups = [g.id for g in village.groups() if g.id is not None]
    start = time.perf_counter()
    made = register_households(households, groups, BUILD_DAY)
    generated = time.perf_counter() - start
    clerk = Access(Actor(None, "bench", "基准测试（文书）", frozenset({Role.CLERK})))
    register = RegisterService(storage, clerk, NoticeService(storage, clerk), today=lambda: BUILD_DAY)
    start = time.perf_counter()
    register.import_households(made)
    imported = time.perf_counter() - start
    members = sum(len(h.members) for h in made)
    storage.close()
    print(
        f"built {path.name}: {households} households, {members} members "
        f"(generated in {generated:.1f} s, imported in {imported:.1f} s)"
    )


def timed_ms(runs: int, action: Callable[[], object]) -> tuple[float, list[float]]:
    """(the cold first run, the ``runs`` after it), in milliseconds."""
    start = time.perf_counter()
    action()
    cold = (time.perf_counter() - start) * 1000
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return cold, times


def line(label: str, cold: float, times: list[float], target: float | None = None) -> str:
    median = statistics.median(times)
    verdict = ""
    if target is not None:
        verdict = f"   target < {target:.0f} ms: " + ("达标 (met)" if median < target else "未达标 (missed)")
    return (
        f"  {label:<36}cold {cold:7.1f}  min {min(times):7.1f}  median {median:7.1f}  "
        f"max {max(times):7.1f} ms{verdict}"
    )


def measure_service(ctx: Any, runs: int) -> tuple[str, str]:
    """The service's queries; returns a (Chinese, pinyin) three-character search that finds people."""
    from village_desk.register import RegisterFilter

    register = ctx.register
    first = register.page(RegisterFilter(limit=100))
    # A three-character name, so each search keystroke narrows it (张 → 张国 → 张国强).
    head = next(
        (line.head_name for line in first.lines if len(line.head_name) == 3), first.lines[0].head_name
    )
    chinese = head[:3]
    from village_desk.pinyin import name_keys

    initials = (name_keys(head).initials + "zgq")[:3]
    group = first.lines[0].group_id
    print(f"service (RegisterService.page, first 100 lines; {first.total} households):")
    cases: list[tuple[str, RegisterFilter]] = [("no filter", RegisterFilter(limit=100))]
    for n in (1, 2, 3):
        cases.append((f"text “{chinese[:n]}”", RegisterFilter(text=chinese[:n], limit=100)))
    for n in (1, 2, 3):
        cases.append((f"text “{initials[:n]}”", RegisterFilter(text=initials[:n], limit=100)))
    cases.append(("group", RegisterFilter(group_id=group, limit=100)))
    cases.append(
        (f"group + text “{chinese[:2]}”", RegisterFilter(group_id=group, text=chinese[:2], limit=100))
    )
    cases.append(("at risk, sorted by income", RegisterFilter(at_risk=True, limit=100)))
    for label, query in cases:
        total = register.page(query).total
        cold, times = timed_ms(runs, lambda query=query: register.page(query))
        print(line(f"{label} ({total})", cold, times))
    return chinese, initials


def measure_window(ctx: Any, runs: int, log_dir: Path, chinese: str, initials: str) -> None:
    try:
        from PySide6.QtCore import QLocale, QtMsgType, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication, QWidget

        from ui.fonts import install_fonts
        from ui.household_window import HouseholdWindow
        from ui.operations import OperationRunner
        from ui.register_page import SEARCH_DELAY_MS, RegisterPage
    except ImportError as error:
        print(f"window: skipped ({error})")
        return
    app = QApplication.instance() or QApplication([])
    # As the program sets it up: Chinese locale and the bundled Chinese font.
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_fonts(app)

    def quiet(kind: QtMsgType, context: object, message: str) -> None:
        # The offscreen platform has no window manager; its notes are not ours to print.
        if "This plugin does not support" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(quiet)
    parent = QWidget()
    parent.show()
    runner = OperationRunner(parent, log_dir)

    def wait(done: Callable[[], bool], timeout_s: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while not done():
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("the window did not answer within 30 s")
            time.sleep(0.0005)

    shown: list[int] = []
    pages: list[RegisterPage] = []

    def first_screen() -> None:
        shown.clear()
        page = RegisterPage(ctx, runner)
        page.rows_shown.connect(shown.append)
        page.resize(1200, 760)
        page.show()
        page.refresh()
        wait(lambda: bool(shown))
        page.table.viewport().repaint()
        pages.append(page)

    print(f"window (offscreen: {os.environ.get('QT_QPA_PLATFORM', '')}):")
    cold, times = timed_ms(runs, first_screen)
    print(line("households page, first screen", cold, times, FIRST_SCREEN_MS))
    page = pages[-1]
    for old in pages[:-1]:
        old.close()
        old.deleteLater()
    wait(lambda: not runner.busy)
    app.processEvents()

    def keystrokes(text: str) -> list[float]:
        spent: list[float] = []
        for n in range(1, len(text) + 1):
            shown.clear()
            start = time.perf_counter()
            page.search.setText(text[:n])
            page.reload()  # what the coalescing timer (SEARCH_DELAY_MS) calls
            wait(lambda: bool(shown))
            page.table.viewport().repaint()
            spent.append((time.perf_counter() - start) * 1000)
        page.search.setText("")
        page.reload()
        return spent

    for text in (chinese, initials):
        rounds = [keystrokes(text) for _ in range(runs + 1)]
        for n in range(len(text)):
            values = [r[n] for r in rounds]
            print(line(f"keystroke “{text[: n + 1]}”", values[0], values[1:], KEYSTROKE_MS))
    print(f"  (plus the search box's {SEARCH_DELAY_MS} ms pause before it queries, not counted above)")

    def choose_group() -> None:
        index = 1 if page.group_combo.currentIndex() != 1 else 2
        shown.clear()
        page.group_combo.setCurrentIndex(index)
        wait(lambda: bool(shown))
        page.table.viewport().repaint()

    cold, times = timed_ms(runs, choose_group)
    print(line("group filter chosen", cold, times, KEYSTROKE_MS))
    page.group_combo.setCurrentIndex(0)
    wait(lambda: not runner.busy)

    lines = page.model.lines()
    targets = iter([line.household_id for line in lines[: runs + 2]])
    windows: list[HouseholdWindow] = []

    def open_window() -> None:
        window = page.open_household(next(targets))
        loaded: list[bool] = []
        window.loaded.connect(lambda: loaded.append(True))
        wait(lambda: bool(loaded) or window.dossier is not None)
        window.repaint()
        windows.append(window)

    cold, times = timed_ms(runs, open_window)
    print(line("household window, dossier shown", cold, times, WINDOW_MS))
    for window in windows:
        window.close()
    wait(lambda: not runner.busy)
    page.close()
    runner.shutdown()
    parent.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="农户档案速度 (household register speed)")
    parser.add_argument("--households", type=int, default=20000, help="households (default 20000)")
    parser.add_argument("--runs", type=int, default=7, help="measured runs each (default 7)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "village-desk-bench",
        help="where the database is kept",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    path = database_path(args.dir, args.households)
    if args.build_only:
        build(path, args.households)
        return
    if args.rebuild:
        for stale in args.dir.glob(f"{path.name}*"):
            stale.unlink()
    if not path.exists():
        args.dir.mkdir(parents=True, exist_ok=True)
        print(f"building {path} (once) …", flush=True)
        command = [
            sys.executable,
            __file__,
            "--build-only",
            "--households",
            str(args.households),
            "--dir",
            str(args.dir),
        ]
        subprocess.run(command, check=True)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from village_desk.accounts import MACHINE
    from village_desk.app import open_context

    log_dir = args.dir / "logs"
    ctx = open_context(f"sqlite:///{path.as_posix()}", args.dir, log_dir, demo=False, allow_demo_switch=False)
    ctx.access.sign_in(MACHINE)
    print(
        f"农户档案基准 (register benchmark): {path}, {args.runs} runs each, Python {sys.version.split()[0]}"
    )
    try:
        chinese, initials = measure_service(ctx, args.runs)
        measure_window(ctx, args.runs, log_dir, chinese, initials)
    finally:
        ctx.close()
    rss = peak_rss_mb()
    verdict = "达标 (met)" if rss < RSS_MB else "未达标 (missed)"
    print(f"peak RSS: {rss:.0f} MB   target < {RSS_MB:.0f} MB: {verdict}")


if __name__ == "__main__":
    main()
