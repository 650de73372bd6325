"""Composition root: parse the command line, open storage, wire services, start the window.

The only module of the core that imports ``db`` and ``ui``; both lazily, so
``--version`` answers at once and the window module loads only when needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from village_desk import __version__
from village_desk.audit import AuditEntry
from village_desk.context import AppContext

APP_NAME = "VillageDesk"
APP_AUTHOR = "VillageDesk"
DB_FILE = "village.sqlite3"
DEMO_DB_FILE = "demo-village.sqlite3"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="village-desk",
        description="村务通：村委会（嘎查村委会）的农户档案、民主议事、集体财务与三务公开。",
    )
    parser.add_argument("--version", action="version", version=f"村务通 {__version__}")
    parser.add_argument("--demo", action="store_true", help="打开演示村“小大歹村”（没有就先生成）")
    parser.add_argument(
        "--db", metavar="URL", help="数据库地址（SQLAlchemy URL），默认是数据文件夹里的 SQLite 文件"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="数据文件夹（默认是本用户的应用数据文件夹）")
    parser.add_argument(
        "--smoke", action="store_true", help="启动、打开数据库、显示主窗口后立即退出（供脚本检查）"
    )
    return parser


def data_dir_for(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))


def log_dir_for(data_dir: Path, explicit: bool) -> Path:
    if explicit:
        return data_dir / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, APP_AUTHOR))


def database_url(db_arg: str | None, data_dir: Path, demo: bool) -> str:
    if db_arg:
        return db_arg
    from db import sqlite_url

    return sqlite_url(default_database_path(data_dir, demo))


def default_database_path(data_dir: Path, demo: bool) -> Path:
    return (data_dir / (DEMO_DB_FILE if demo else DB_FILE)).absolute()


def open_context(
    db_arg: str | None, data_dir: Path, log_dir: Path, demo: bool, allow_demo_switch: bool
) -> AppContext:
    """Wire the services over the database named by ``db_arg`` (default: the SQLite file in ``data_dir``).

    Cheap: nothing is opened yet. The database opens (migrating if needed, and
    building the demo village when ``demo`` and it is empty) on first use or
    ``ctx.open()``, which the window does on a worker thread after it is shown.
    """
    from village_desk.accounts import MACHINE, Access
    from village_desk.services import AccountService, RosterService, VillageService
    from village_desk.storage import DeferredStorage, Storage

    def open_database() -> Storage:
        from db import open_storage

        opened = open_storage(database_url(db_arg, data_dir, demo))
        machine = Access(MACHINE)
        if demo and VillageService(opened, machine).profile() is None:
            from village_desk.demo import build_demo

            build_demo(
                VillageService(opened, machine),
                RosterService(opened, machine),
                AccountService(opened, machine),
            )
        return opened

    def write_audit_xlsx(path: Path, entries: Sequence[AuditEntry]) -> None:
        from db.spreadsheets import write_audit_log

        write_audit_log(path, entries)

    preliminary = "" if db_arg else str(default_database_path(data_dir, demo))
    storage = DeferredStorage(open_database, preliminary)

    def switch_to_demo() -> AppContext:
        # Open the demo first: if that fails, this context stays usable.
        demo_ctx = open_context(None, data_dir, log_dir, demo=True, allow_demo_switch=False)
        demo_ctx.open()
        storage.close()
        return demo_ctx

    return AppContext.wire(
        storage,
        data_dir,
        log_dir,
        is_demo=demo,
        open_demo=switch_to_demo if allow_demo_switch else None,
        audit_writer=write_audit_xlsx,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = data_dir_for(args.data_dir)
    log_dir = log_dir_for(data_dir, explicit=bool(args.data_dir))
    data_dir.mkdir(parents=True, exist_ok=True)
    allow_demo_switch = not args.db and not args.demo

    from ui.application import run_app

    # open_context only wires the services; the window opens the database once it shows.
    return run_app(
        lambda: open_context(args.db, data_dir, log_dir, args.demo, allow_demo_switch),
        log_dir=log_dir,
        smoke=args.smoke,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
