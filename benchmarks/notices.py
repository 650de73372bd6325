"""How fast notices become PDF pages: a script that prints numbers, not a test.

    python benchmarks/notices.py [--runs 5] [--rows 1000] [--out list.pdf]

Measured in this process with ``printing.notices.render_notice`` (masking, layout, drawing, subset
embedding), on made-up data:
- a list 公示 of ``--rows`` rows × 6 columns (村民小组, 户主姓名, 身份证号, 联系电话, 保障人数,
  补助金额) with a 合计 row, as posted: ID and phone numbers masked. Target: under 1.5 s;
- a one-page notice (title, a few paragraphs, the period, the 落款): the PDF part of the editor's live
  preview, which must refresh within 300 ms after typing stops.
The first render of a process also registers the fonts; it is shown apart ("cold") and not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from village_desk.notices import (  # noqa: E402
    DEFAULT_OBJECTION,
    Column,
    ColumnKind,
    Notice,
    NoticeCategory,
    NoticeKind,
    NoticeSettings,
    NoticeStatus,
    NoticeTable,
    Paragraph,
    RenderedNotice,
)
from village_desk.village import VillageProfile  # noqa: E402

LIST_TARGET_S = 1.5
PAGE_TARGET_S = 0.3
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗包白韩乌"
GIVEN = "金山秀英宝音玉凤国军海军巴特尔桂兰建华志强春梅淑珍德胜"


def id_number(seed: int) -> str:
    """A valid-looking resident ID (GB 11643 check digit) from a seed."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=seed * 37 % 25000)
    body = f"150525{birth:%Y%m%d}{seed % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def list_notice(rows: int) -> Notice:
    table = NoticeTable(
        columns=(
            Column("村民小组"),
            Column("户主姓名"),
            Column("身份证号", ColumnKind.ID_NUMBER),
            Column("联系电话", ColumnKind.PHONE),
            Column("保障人数", ColumnKind.NUMBER),
            Column("补助金额（元）", ColumnKind.MONEY),
        ),
        rows=tuple(
            (
                f"第{'一二三四五六七八'[i % 8]}村民小组",
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)],
                id_number(i),
                f"139{i % 10000:04d}{(i * 7919) % 10000:04d}",
                str(1 + i % 5),
                f"{385 * (1 + i % 5)}.{i % 100:02d}",
            )
            for i in range(rows)
        ),
        totals=True,
        title="2026年度补助发放名单",
    )
    return Notice(
        id=None,
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="关于2026年度补助发放名单的公示",
        body=(
            Paragraph("经农户申请、入户核查、村民代表会议民主评议，现将2026年度补助发放名单公示如下。"),
            table,
        ),
        period_start=dt.date(2026, 11, 30),
        period_end=dt.date(2026, 12, 6),
        objection=DEFAULT_OBJECTION,
        issuer="小大歹村村民委员会",
        issue_date=dt.date(2026, 11, 30),
        status=NoticeStatus.ISSUED,
        number="村务公示〔2026〕12号",
    )


def page_notice() -> Notice:
    return Notice(
        id=None,
        category=NoticeCategory.PARTY,
        kind=NoticeKind.NOTIFICATION,
        title="关于召开党员大会的通知",
        body=(
            Paragraph("全体党员："),
            Paragraph("经村党支部研究，定于12月5日上午9时在村党群服务中心二楼会议室召开党员大会。"),
            Paragraph("一、会议内容", 1),
            Paragraph("（一）学习党的路线方针政策和上级有关会议精神；", 2),
            Paragraph("（二）审议第二村民小组道路硬化项目；", 2),
            Paragraph("请全体党员准时参加，因故不能参加的，请提前向党支部书记请假。"),
        ),
        issuer="中共小大歹村支部委员会",
        issue_date=dt.date(2026, 11, 28),
    )


def timed(runs: int, render: Callable[[], RenderedNotice]) -> tuple[list[float], RenderedNotice]:
    times: list[float] = []
    result = render()  # one untimed run first: what a clerk re-rendering the same notice would see
    for _ in range(runs):
        start = time.perf_counter()
        result = render()
        times.append(time.perf_counter() - start)
    return times, result


def line(label: str, times: list[float], target: float) -> str:
    verdict = "达标 (met)" if statistics.median(times) < target else "未达标 (missed)"
    return (
        f"{label:<28}min {min(times):.3f} s  median {statistics.median(times):.3f} s  "
        f"max {max(times):.3f} s   target < {target:.1f} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="公示公告排版速度 (notice layout speed)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs each (default 5)")
    parser.add_argument("--rows", type=int, default=1000, help="rows of the list (default 1000)")
    parser.add_argument("--out", type=Path, help="also write the list's PDF here, to look at")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    from printing.notices import render_notice

    village = VillageProfile(name="小大歹", township="甘旗卡", supervision_phone="0475-5123456")
    settings = NoticeSettings()
    big = list_notice(args.rows)
    small = page_notice()

    start = time.perf_counter()
    render_notice(small, village, settings)
    cold = time.perf_counter() - start
    print(
        f"公示公告排版基准 (notice layout benchmark): {args.runs} runs each, Python {sys.version.split()[0]}"
    )
    print(f"cold first render (fonts registered): {cold:.3f} s")

    list_times, rendered = timed(args.runs, lambda: render_notice(big, village, settings))
    page_times, one = timed(args.runs, lambda: render_notice(small, village, settings))
    print(
        f"list: {args.rows} rows × 6 columns → {rendered.pages} pages, {rendered.paper}, "
        f"{len(rendered.pdf) / 1024:.0f} KiB"
    )
    print(f"one-page notice → {one.pages} page(s), {len(one.pdf) / 1024:.0f} KiB")
    print(line(f"{args.rows}行名单 (list)", list_times, LIST_TARGET_S))
    print(line("单页通知 (one page)", page_times, PAGE_TARGET_S))
    if args.out:
        args.out.write_bytes(rendered.pdf)
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
