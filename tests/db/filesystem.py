"""Real file-system conditions for the storage tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder read-only for this process, for real.

    A normal user loses the write permission bits (on Windows: the read-only
    attribute); root ignores those, so it gets the immutable attribute
    (``chattr +i``) instead, or the test is skipped.
    """
    if path.is_dir() and sys.platform == "win32":
        pytest.skip("Windows ignores the read-only attribute of a folder")
    if sys.platform == "win32" or os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    made_immutable = chattr is not None and (
        subprocess.run([chattr, "+i", str(path)], check=False, capture_output=True).returncode == 0
    )
    if chattr is None or not made_immutable:
        pytest.skip("running as root where chattr +i is not allowed: cannot make a file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)
