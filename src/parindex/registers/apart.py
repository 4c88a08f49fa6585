"""Read-only queries run side by side, each on a connection and thread of its own (SQLite).

SQLite answers a query on one core; a count over a million dossiers, or the data-quality
checks after an import, finish about twice as fast on this machine's two cores when they are
split into parts that run at once (the parts' results are combined by the caller). Only where
every connection reads the same rows: outside a transaction (its uncommitted writes are
invisible to the others) and not in a private in-memory database.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")


def cores() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0))


def can_read_apart() -> bool:
    """Whether another connection would read what this one reads, and there is a core for it.
    SQLite only: PostgreSQL spreads a large query over the cores itself (parallel scans), and
    a connection of its own per thread would cost a page a new server session each."""
    if connection.vendor != "sqlite":
        return False
    name = str(connection.settings_dict["NAME"])
    private = connection.is_in_memory_db() and "cache=shared" not in name
    return cores() > 1 and not connection.in_atomic_block and not private


def side_by_side(calls: Sequence[Callable[[], T]]) -> list[T]:
    """The results of `calls`, in order: run at once on their own connections when
    `can_read_apart`, else one after the other on this one. Each call must only read."""
    if len(calls) < 2 or not can_read_apart():
        return [call() for call in calls]
    with ThreadPoolExecutor(min(len(calls), cores()), thread_name_prefix="apart") as pool:
        return list(pool.map(on_own_connection, calls))


def on_own_connection(call: Callable[[], T]) -> T:
    """`call()` in a worker thread; the thread's connections are closed afterwards (Django
    opens one per thread, and a pooled thread may serve another call next)."""
    try:
        return call()
    finally:
        connections.close_all()


@contextlib.contextmanager
def meanwhile(chore: Callable[[], object] | None):
    """Run `chore` on its own connection and thread while the body of the `with` runs, and
    wait for it at the end (its errors are raised there). For housekeeping that may as well
    be left to later: when `can_read_apart` is false (inside a transaction, say) it is not
    run at all."""
    if chore is None or not can_read_apart():
        yield
        return
    with ThreadPoolExecutor(1, thread_name_prefix="meanwhile") as pool:
        running = pool.submit(on_own_connection, chore)
        try:
            yield
        finally:
            running.result()
