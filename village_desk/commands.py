"""The command line's subcommands, for scheduled tasks and scripts: ``backup``, ``restore``,
``check``, ``notice list``, ``notice pdf``, ``ledger books``, ``ledger trial-balance``,
``ledger vouchers`` and ``demo``.

Each runs over an ``AppContext`` the composition root made, as the machine
administrator (``MACHINE``: audited as 本机管理员), prints Chinese, and
returns the exit status:

- 0: done (``check``: everything is in order);
- 1: ``check`` found a problem (the first one is printed);
- 2: it could not be done (the reason and what to do are printed).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from village_desk.accounts import MACHINE
from village_desk.backups import BackupInfo, BackupKind, describe_size
from village_desk.context import AppContext
from village_desk.demo_register import DemoRegister
from village_desk.errors import VillageDeskError
from village_desk.ledger import CENT, Period, TrialRow
from village_desk.notices import NoticeCategory, NoticeFilter, NoticeId, status_text
from village_desk.register import RegisterFilter
from village_desk.storage import Storage

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_FAILED = 2
MAX_DEMO_HOUSEHOLDS = 100_000

# Builds the demo village into an empty database (``app.build_demo_village``).
DemoBuilder = Callable[[Storage, dt.date, int], "DemoRegister | None"]


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


def notice_list(
    ctx: AppContext,
    year: int | None = None,
    category: str | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """One line per notice, tab-separated: id, number, category, kind, status, issue date, title."""

    def run() -> int:
        chosen = None
        if category:
            try:
                chosen = NoticeCategory(category)
            except ValueError:
                names = "、".join(c.value for c in NoticeCategory)
                print(f"没有“{category}”这个类别；类别是：{names}。", file=err)
                return EXIT_FAILED
        today = dt.date.today()
        print("编号\t类别\t种类\t状态\t发布日期\t标题\tID", file=out)
        for item in ctx.notices.notices(NoticeFilter(category=chosen, year=year)):
            status = status_text(item, today)
            issued_on = item.issue_date.isoformat() if item.issue_date and item.number else ""
            fields = (item.number or "（未编号）", item.category, item.kind, status, issued_on, item.title)
            print("\t".join((*fields, str(item.id))), file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def notice_pdf(
    ctx: AppContext, notice_id: int, target: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Write a notice's PDF: the issued one exactly as stored (hash-checked), a draft as it would print."""

    def run() -> int:
        data = ctx.notices.pdf(NoticeId(notice_id))
        notice = ctx.notices.notice(NoticeId(notice_id))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            print(f"没能写出 {target}：{error.strerror or error}。请换一个能写入的文件夹再试。", file=err)
            return EXIT_FAILED
        what = (
            f"{notice.number}（SHA-256 {notice.pdf_sha256[:16]}…，与存档一致）" if notice.number else "草稿"
        )
        print(f"已写出：{target}（{notice.title}，{what}）", file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def ledger_books(ctx: AppContext, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """One line per book, tab-separated: id, code, name, start, closed through, vouchers, unposted."""

    def run() -> int:
        summaries = ctx.ledger.list_books()
        print("ID\t编号\t名称\t启用期间\t已结账至\t凭证数\t未记账", file=out)
        for item in summaries:
            book = item.book
            closed = str(book.closed_through) if book.closed_through is not None else "未结账"
            fields = (str(book.id), book.code, book.name, str(book.start), closed)
            print("\t".join((*fields, str(item.vouchers), str(item.unposted))), file=out)
        if not summaries:
            print("这个数据库里还没有账套。请在村务通的“集体财务”里建立账套。", file=err)
        return EXIT_OK

    return _as_machine(ctx, run, err)


TRIAL_HEADER = (
    "科目编码",
    "科目名称",
    "期初借方",
    "期初贷方",
    "本期借方",
    "本期贷方",
    "期末借方",
    "期末贷方",
)


def ledger_trial_balance(
    ctx: AppContext,
    book_key: str,
    start_text: str,
    end_text: str,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """The 科目余额表 of ``start``..``end`` as CSV (``TRIAL_HEADER``, then a 合计 line): amounts with
    two decimals and no thousands separators, posted vouchers only."""

    def run() -> int:
        try:
            start, end = _period(start_text, "--from"), _period(end_text, "--to")
        except ValueError as error:
            print(str(error), file=err)
            return EXIT_FAILED
        if end < start:
            print(f"结束期间 {end} 早于开始期间 {start}：请让 --from 不晚于 --to。", file=err)
            return EXIT_FAILED
        book = ctx.ledger.find_book(book_key)  # NotFoundError names the books there are
        assert book.id is not None
        if start < book.start:
            print(
                f"账套“{book.name}”从{book.start.label}启用，之前没有账：请让 --from 不早于 {book.start}。",
                file=err,
            )
            return EXIT_FAILED
        trial = ctx.ledger.trial_balance(book.id, start, end)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TRIAL_HEADER)
        for row in trial.rows:
            writer.writerow((row.code, row.name, *_amounts(row)))
        writer.writerow(("", "合计", *_amounts(trial.totals)))
        return EXIT_OK

    return _as_machine(ctx, run, err)


def ledger_vouchers(
    ctx: AppContext,
    book_key: str,
    year: int,
    target: Path,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Every posted line of ``year`` into an .xlsx (日期, 凭证类型, 凭证号, 摘要, 科目编码, 科目名称, 借方, 贷方)."""

    def run() -> int:
        book = ctx.ledger.find_book(book_key)  # NotFoundError names the books there are
        assert book.id is not None
        data = ctx.ledger.vouchers_xlsx(book.id, year)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            print(f"没能写出 {target}：{error.strerror or error}。请换一个能写入的文件夹再试。", file=err)
            return EXIT_FAILED
        print(f"已写出：{target}（{book.name} {year}年已记账的凭证分录）", file=out)
        return EXIT_OK

    return _as_machine(ctx, run, err)


def _period(text: str, option: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise ValueError(f"{option} 的“{text}”不是会计期间：请写成“年-月”，例如 2025-03。") from None


def _amounts(row: TrialRow) -> tuple[str, ...]:
    figures = (
        row.opening_debit,
        row.opening_credit,
        row.debit,
        row.credit,
        row.closing_debit,
        row.closing_credit,
    )
    return tuple(format(value.quantize(CENT), "f") for value in figures)


def demo(
    ctx: AppContext,
    households: int,
    build: DemoBuilder,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """The demo village with ``households`` households, into a database without a village yet."""
    if not 1 <= households <= MAX_DEMO_HOUSEHOLDS:
        print(f"农户数应在1到{MAX_DEMO_HOUSEHOLDS}之间，现在是{households}。", file=err)
        ctx.close()
        return EXIT_FAILED

    def run() -> int:
        profile = ctx.village.profile()
        if profile is not None:
            print(
                f"这个数据库里已经有“{profile.full_name}”的村庄信息，没有生成演示村，原有数据没有改动。"
                "请用 --data-dir 换一个数据文件夹，或用 --db 指定一个新的数据库。",
                file=err,
            )
            return EXIT_FAILED
        print(f"正在生成演示村“小大歹村”（{households}户），请稍候……", file=out)
        build(ctx.storage, dt.date.today(), households)
        total = ctx.register.page(RegisterFilter(limit=0)).total
        people = len(ctx.roster.people())
        print(f"已生成演示村：在册农户{total}户，登记人员{people}人。（{ctx.location}）", file=out)
        for item in ctx.ledger.list_books():
            closed = item.book.closed_through
            print(
                f"集体财务：账套{item.book.code}“{item.book.name}”，凭证{item.vouchers}张"
                + (f"，已结账至{closed.label}" if closed is not None else "")
                + "。",
                file=out,
            )
        print("用户名 admin、kuaiji、wenshu 等，密码 demo2026；打开演示村：village-desk --demo", file=out)
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
