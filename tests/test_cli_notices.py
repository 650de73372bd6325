"""``village-desk notice list`` and ``village-desk notice pdf ID OUT.pdf`` on the demo village: real processes."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.test_cli_backup import env, expect, run  # noqa: F401  (env is a fixture)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the demo village, built once by a real ``notice list --demo`` run."""
    return tmp_path_factory.mktemp("demo")


def lines_of(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    said = expect(result, 0)
    return [line.split("\t") for line in said.strip().splitlines()]


def test_list_shows_the_demo_notices_and_pdf_writes_the_stored_file(
    env: dict[str, str],  # noqa: F811
    demo_dir: Path,
    tmp_path: Path,
) -> None:
    rows = lines_of(run(env, "notice", "list", "--demo", "--data-dir", str(demo_dir)))
    header, *notices = rows
    assert header[0] == "编号" and header[-1] == "ID"
    categories = {row[1] for row in notices}
    assert categories == {"党务", "村务", "财务"}
    statuses = " ".join(row[3] for row in notices)
    assert "草稿" in statuses and "已作废" in statuses and "已被更正" in statuses and "已撤下" in statuses
    issued = [row for row in notices if row[0].startswith("村务")]
    assert issued, rows
    number, notice_id = issued[0][0], issued[0][-1]

    out = tmp_path / "out" / "notice.pdf"
    said = expect(run(env, "notice", "pdf", notice_id, str(out), "--demo", "--data-dir", str(demo_dir)), 0)
    assert number in said
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest[:16] in said  # the stored hash, printed; the bytes written are the stored ones
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert number in text.replace(" ", "")


def test_filters_and_errors(env: dict[str, str], demo_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    rows = lines_of(run(env, "notice", "list", "--category", "财务", "--demo", "--data-dir", str(demo_dir)))
    assert {row[1] for row in rows[1:]} == {"财务"}
    said = expect(run(env, "notice", "list", "--category", "杂务", "--demo", "--data-dir", str(demo_dir)), 2)
    assert "没有“杂务”这个类别" in said
    said = expect(
        run(env, "notice", "pdf", "99999", str(tmp_path / "x.pdf"), "--demo", "--data-dir", str(demo_dir)), 2
    )
    assert not (tmp_path / "x.pdf").exists()
    assert said.strip()
