"""How fast 村务通 starts, and how much memory it takes: a script that prints numbers, not a test.

    python benchmarks/startup.py [--runs 5] [--data-dir DIR]

Each run is a fresh process (offscreen Qt) doing what a clerk's double-click does on the
demo village 小大歹村: ``village_desk.app.main(["--demo", "--smoke", "--data-dir", DIR])``,
which opens the database, shows the main window, lets it load its data, and returns.
A first warm-up run creates the demo database and is not counted.

Measured from outside the app (it knows nothing of this script):
- to window: wall time from just before the process is spawned until the main window has been
  shown and painted (the first ``MainWindow.show()`` returned and its events were processed);
- to data: until ``main`` returns, i.e. the pages have also loaded their data through the
  runner and the window has closed again;
- Python start: the part of that spent before this file's imports were done;
- peak RSS: the process's peak resident memory (``ru_maxrss``; PeakWorkingSetSize on Windows).
Targets: under 1.0 s to the window, under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD_START = time.time()  # how long the interpreter took to get here (stdlib imports above are cheap)
ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
TARGET_MB = 150.0


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        class Counters(ctypes.Structure):
            _fields_ = [
                ("cb", wintypes.DWORD),
                ("PageFaultCount", wintypes.DWORD),
                ("PeakWorkingSetSize", ctypes.c_size_t),
                ("WorkingSetSize", ctypes.c_size_t),
                ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
                ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                ("PagefileUsage", ctypes.c_size_t),
                ("PeakPagefileUsage", ctypes.c_size_t),
            ]

        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        process = ctypes.windll.kernel32.GetCurrentProcess()
        ctypes.windll.psapi.GetProcessMemoryInfo(process, ctypes.byref(counters), counters.cb)
        return float(counters.PeakWorkingSetSize) / 2**20

    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB elsewhere


def window_shown_at() -> float | None:
    """When the app's main window was first shown and painted (``time.time()``), as it recorded."""
    import ui.application

    return ui.application.window_shown_at


def child(spawned_at: float, data_dir: str, out: str) -> None:
    """One measured start, inside the fresh process."""
    sys.path.insert(0, str(ROOT))
    from village_desk.app import main

    code = main(["--demo", "--smoke", "--data-dir", data_dir])
    done = time.time()
    result = {
        "exit": code,
        "to_window_s": (window_shown_at() or done) - spawned_at,
        "to_data_s": done - spawned_at,
        "python_s": CHILD_START - spawned_at,
        "peak_rss_mb": peak_rss_mb(),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def one_run(python: str, data_dir: Path, env: dict[str, str]) -> dict[str, float]:
    out = data_dir / "bench-result.json"
    out.unlink(missing_ok=True)
    spawned_at = time.time()
    proc = subprocess.run(
        [python, __file__, "--child", repr(spawned_at), str(data_dir), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        check=False,
    )
    process_s = time.time() - spawned_at
    if proc.returncode != 0 or not out.exists():
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"启动失败 (start-up failed): exit {proc.returncode}")
    result: dict[str, float] = json.loads(out.read_text(encoding="utf-8"))
    if result["exit"] != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"启动失败 (start-up failed): main() returned {result['exit']}")
    result["process_s"] = process_s
    return result


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def row(label: str, values: list[float], fmt: str, target: str) -> str:
    cells = [format(v, fmt) for v in (min(values), statistics.median(values), max(values))]
    return f"{pad(label, 34)}{cells[0]:>9}{cells[1]:>9}{cells[2]:>9}   {target}".rstrip()


def bench(runs: int, data_dir: Path, python: str) -> None:
    home = data_dir / "home"
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONIOENCODING="utf-8",
        # Keep Qt's settings and platformdirs' folders out of the user's own.
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    print(f"村务通启动基准 (start-up benchmark): {runs} runs + 1 warm-up, 演示村小大歹村, offscreen")
    print(f"python: {python}\ndata:   {data_dir}")
    warm = one_run(python, data_dir, env)
    print(f"warm-up (creates the demo database): {warm['to_window_s']:.3f} s")

    results = []
    for i in range(1, runs + 1):
        r = one_run(python, data_dir, env)
        results.append(r)
        print(
            f"run {i}: to window {r['to_window_s']:.3f} s, to data {r['to_data_s']:.3f} s "
            f"(Python start {r['python_s']:.3f} s), "
            f"process {r['process_s']:.3f} s, peak RSS {r['peak_rss_mb']:.1f} MB"
        )

    to_window = [r["to_window_s"] for r in results]
    rss = [r["peak_rss_mb"] for r in results]
    print()
    print(f"{pad('', 34)}{'min':>9}{'median':>9}{'max':>9}   target")
    print(row("到主窗口 (to window), s", to_window, ".3f", f"< {TARGET_S:.1f} s"))
    print(row("到数据载入 (to data loaded), s", [r["to_data_s"] for r in results], ".3f", ""))
    print(row("Python 启动 (interpreter), s", [r["python_s"] for r in results], ".3f", ""))
    print(row("进程总时长 (whole process), s", [r["process_s"] for r in results], ".3f", ""))
    print(row("峰值内存 (peak RSS), MB", rss, ".1f", f"< {TARGET_MB:.0f} MB"))
    verdict_time = "达标 (met)" if statistics.median(to_window) < TARGET_S else "未达标 (missed)"
    verdict_rss = "达标 (met)" if max(rss) < TARGET_MB else "未达标 (missed)"
    print(f"\n启动时间 (median start-up): {verdict_time}; 内存 (max peak RSS): {verdict_rss}")


def main() -> None:
    parser = argparse.ArgumentParser(description="村务通启动时间与内存 (start-up time and memory)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument("--data-dir", type=Path, help="data folder to use (default: a new temporary one)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to run the app with")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        bench(args.runs, args.data_dir.resolve(), args.python)
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="village-desk-bench-") as tmp:
        bench(args.runs, Path(tmp), args.python)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(float(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main()
