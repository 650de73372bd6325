"""DeferredStorage: opened once, by whoever asks first; a failure is kept, not retried."""

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any, cast

import pytest

from village_desk.errors import StorageError
from village_desk.storage import DeferredStorage, Storage, Transaction


class _Opened:
    location = "/data/village.sqlite3"
    closed = False

    def transaction(self, actor: object = None) -> AbstractContextManager[Transaction]:
        return cast(AbstractContextManager[Transaction], nullcontext("tx"))

    def close(self) -> None:
        self.closed = True


def test_opens_once_on_first_use_and_then_reports_the_real_location() -> None:
    calls: list[int] = []

    def opener() -> Storage:
        calls.append(1)
        return _Opened()

    storage = DeferredStorage(opener, "正在打开")
    assert storage.location == "正在打开" and not storage.is_open
    with storage.transaction() as tx:
        assert cast(Any, tx) == "tx"
    storage.open()
    assert calls == [1]
    assert storage.is_open and storage.location == "/data/village.sqlite3"


def test_concurrent_first_uses_open_once() -> None:
    calls: list[int] = []
    gate = threading.Event()

    def opener() -> Storage:
        calls.append(1)
        gate.wait(1)
        return _Opened()

    storage = DeferredStorage(opener)
    threads = [threading.Thread(target=storage.open) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1]


def test_a_failure_to_open_is_raised_again_not_retried() -> None:
    calls: list[int] = []

    def opener() -> Storage:
        calls.append(1)
        raise StorageError("数据库文件已损坏，无法打开。", "请从备份恢复。")

    storage = DeferredStorage(opener)
    for _ in range(2):
        with pytest.raises(StorageError, match="已损坏"):
            storage.transaction()
    assert calls == [1]
    storage.close()  # nothing opened: nothing to close, no error


def test_close_closes_the_opened_storage() -> None:
    opened = _Opened()
    storage = DeferredStorage(lambda: opened)
    storage.open()
    storage.close()
    assert opened.closed
