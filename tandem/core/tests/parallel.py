"""Run one function in many threads at once, each thread on its own database connection (concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_in_parallel(work: Callable[[int], object], count: int = 20, timeout: float = 60) -> list:
    """Call work(0) … work(count-1) in `count` threads released together; returns, per index, the result or
    the exception raised. Each thread closes its connection when done."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout)
            outcomes[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting (deadlock?)"
    return outcomes
