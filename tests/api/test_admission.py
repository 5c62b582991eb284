"""/v1/score waits for admission on the event loop: a slot freed by another thread within the
wait admits it, none freed refuses it after the wait, and waiting holds no thread."""

from __future__ import annotations

import asyncio
import threading
import time

from api.admission import admit


def test_a_slot_freed_within_the_wait_admits() -> None:
    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    threading.Timer(0.05, slots.release).start()
    start = time.monotonic()
    assert asyncio.run(admit(slots, 2.0)) is True
    assert 0.04 <= time.monotonic() - start < 1.5
    assert slots.acquire(blocking=False) is False  # the slot is now held by the admitted call


def test_no_slot_within_the_wait_refuses_after_it() -> None:
    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    start = time.monotonic()
    assert asyncio.run(admit(slots, 0.1)) is False
    assert 0.09 <= time.monotonic() - start < 1.0


def test_waiting_callers_share_the_event_loop_without_threads() -> None:
    # Twenty callers wait at once for one slot, released one by one by the admitted: all get
    # in, and no thread beyond this one was started for the waiting.
    slots = threading.BoundedSemaphore(1)
    before = threading.active_count()

    async def one() -> None:
        assert await admit(slots, 5.0)
        await asyncio.sleep(0.002)
        assert threading.active_count() == before
        slots.release()

    async def all_of_them() -> None:
        await asyncio.gather(*(one() for _ in range(20)))

    asyncio.run(all_of_them())
    assert slots.acquire(blocking=False) is True
