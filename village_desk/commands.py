"""The command line's subcommands, for scheduled tasks: ``backup``, ``restore``, ``check``.

Each runs over an ``AppContext`` the composition root made, as the machine
administrator (``MACHINE``: audited as 本机管理员), prints Chinese, and
returns the exit status:

- 0: done (``check``: everything is in order);
- 1: ``check`` found a problem (the first one is printed);
- 2: it could not be done (the reason and what to do are printed).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from village_desk.accounts import MACHINE
from village_desk.backups import BackupInfo, BackupKind, describe_size
from village_desk.context import AppContext
from village_desk.errors import VillageDeskError

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_FAILED = 2


def backup(ctx: AppContext, folder: Path | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """A backup now, into ``folder`` or the backup folder; kept like the daily automatic copies."""

    def run() -> int:
        if not ctx.backups.supported:
            print(
                "PostgreSQL 数据库的备份由服务器管理员负责，村务通不做备份文件。"
                "如需一份本地副本，请在村务通的“系统设置 → 备份与恢复”里导出副本。",
                file=err,
            )
            return EXIT_FAILED
        made = ctx.backups.backup_now(folder, kind=BackupKind.AUTO)
        print(f"已备份：{made.path}（{describe_size(made.size)}）", file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def restore(ctx: AppContext, path: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Replace the database with the backup at ``path``, after a safety copy of the current one."""

    def run() -> int:
        info = ctx.backups.inspect(path)
        print(describe_backup(info), file=out)
        if info.problem:
            print(f"没有恢复：{info.problem}", file=err)
            return EXIT_FAILED
        before = ctx.backups.restore(path)
        print(f"已恢复。恢复前的数据保存在：{before.path}", file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def check(ctx: AppContext, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The integrity of the database and its audit chain."""

    def run() -> int:
        problems = ctx.backups.check()
        if problems:
            print(f"发现问题：{problems[0]}", file=err)
            for more in problems[1:]:
                print(more, file=err)
            return EXIT_PROBLEM
        print(f"正常：数据文件完好，操作日志完整，没有被改动。（{ctx.location}）", file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def describe_backup(info: BackupInfo) -> str:
    """What a backup holds, in a few lines."""
    lines = [f"备份文件：{info.path}"]
    if info.village_name:
        lines.append(f"村名：{info.village_name}")
    if info.made_at is not None:
        lines.append(f"数据截至：{info.made_at:%Y-%m-%d %H:%M}")
    if info.counts:
        lines.append("记录数：" + "，".join(f"{label}{n}" for label, n in info.counts.items()))
    if info.chain is not None:
        lines.append("操作日志：" + (f"完整（{info.chain.count}条）" if info.chain.ok else "被改动过"))
    return "\n".join(lines)


def _as_machine(ctx: AppContext, run: Callable[[], int], err: TextIO) -> int:
    ctx.access.sign_in(MACHINE)
    try:
        return run()
    except VillageDeskError as error:
        print(str(error), file=err)
        return EXIT_FAILED
    finally:
        ctx.close()
