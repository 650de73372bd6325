"""A process killed in the middle of writing loses nothing it reported as saved and damages nothing.

A child process saves households through the services, as the machine
administrator, in a loop, and prints each id once ``save_household`` has
returned (the commit is done). The parent kills it with SIGKILL at a random
moment, many times over, and after each kill opens the file: SQLite's
integrity check passes, the audit chain verifies, every acknowledged id is
there, and every household has the audit entry that was written with it.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.audit import AuditFilter
from village_desk.services import AuditService, VillageService
from village_desk.village import VillageProfile

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 15
MAX_DELAY_S = 0.3  # after the child is ready; its loop saves a household every few milliseconds
TIMEOUT_S = 60

WRITER = """
import sys
from pathlib import Path

from db import open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.roster import Household
from village_desk.services import RosterService

storage = open_storage(sqlite_url(Path(sys.argv[1])))
roster = RosterService(storage, Access(MACHINE))
round_ = sys.argv[2]
print("ready", flush=True)
n = 0
while True:
    n += 1
    saved = roster.save_household(Household(id=None, number=f"{round_}-{n}", head_name="测试户主", group_id=None))
    print(saved.id, flush=True)  # only after the commit returned
"""


def test_killing_a_writer_at_random_moments_loses_no_acknowledged_save(tmp_path: Path) -> None:
    database = tmp_path / "village.sqlite3"
    storage = open_storage(sqlite_url(database))
    VillageService(storage, Access(MACHINE)).set_up(
        VillageProfile(name="小大歹", township="甘旗卡", county="科左后"), 1
    )
    storage.close()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    acknowledged: set[int] = set()

    for round_ in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), str(round_)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready == "ready\n", f"round {round_}: the writer did not start: {child.communicate()[1]}"
        time.sleep(rng.uniform(0, MAX_DELAY_S))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=TIMEOUT_S)
        assert child.returncode == -signal.SIGKILL, f"round {round_}: the writer stopped by itself: {err}"
        # A line cut off by the kill has no newline: it was not (fully) acknowledged.
        acknowledged |= {int(line) for line in out.splitlines(keepends=True) if line.endswith("\n")}

        where = f"round {round_} (seed {seed})"
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
            stored = {row_id for (row_id,) in connection.execute("SELECT id FROM households")}
        connection.close()
        assert acknowledged <= stored, f"{where}: saved ids lost: {sorted(acknowledged - stored)[:10]}"
        reopened = open_storage(sqlite_url(database))
        try:
            audit = AuditService(reopened, Access(MACHINE))
            report = audit.verify()
            assert report.ok, f"{where}: {report.problem}"
            created = {e.record_id for e in audit.entries(AuditFilter(record_type="农户"), limit=None)}
        finally:
            reopened.close()
        assert created == stored, f"{where}: a household without its audit entry, or the reverse"

    assert len(acknowledged) > ROUNDS, "the writer hardly wrote anything: the kills tested nothing"
