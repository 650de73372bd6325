"""The window's process keeps no module sources in linecache (PySide reads every one), yet tracebacks show lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, linecache, traceback
from village_desk.app import keep_no_source_lines
keep_no_source_lines()
import PySide6.QtCore  # its import hook reads the source of what is imported next
import village_desk.register
try:
    1 / 0  # the line the traceback must show
except ZeroDivisionError:
    text = traceback.format_exc()
kept = [name for name, entry in linecache.cache.items() if len(entry) > 1]
print(json.dumps({"shown": "1 / 0  # the line the traceback must show" in text, "kept": kept}))
"""


def test_tracebacks_keep_their_lines_but_no_source_is_kept(tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"shown": True, "kept": []}
