"""The uploader's validation slots (``service.Slots``): taken in the event loop, given back from
the worker threads, never more holders than slots and never a slot lost."""

import asyncio
import threading

import pytest

from parabench.uploads.service import Slots


def _run(coroutine):
    return asyncio.run(coroutine)


def test_no_more_hold_a_slot_than_there_are():
    async def scenario():
        slots = Slots(2, asyncio.get_running_loop())
        holding, most = 0, 0

        async def hold():
            nonlocal holding, most
            await slots.take(5)
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.01)
            holding -= 1
            slots.give_back()

        await asyncio.gather(*(hold() for _ in range(10)))
        return most

    assert _run(scenario()) == 2


def test_a_slot_given_back_by_a_thread_passes_to_the_waiting_request():
    async def scenario():
        slots = Slots(1, asyncio.get_running_loop())
        await slots.take(5)
        waiting = asyncio.ensure_future(slots.take(5))
        await asyncio.sleep(0.01)
        assert not waiting.done()
        threading.Thread(target=slots.give_back).start()
        await asyncio.wait_for(waiting, 5)
        # The slot went to the waiting request, not back into the pool.
        with pytest.raises(TimeoutError):
            await slots.take(0)

    _run(scenario())


def test_a_request_that_waited_too_long_gets_timeout_and_no_slot_is_lost():
    async def scenario():
        slots = Slots(1, asyncio.get_running_loop())
        await slots.take(5)
        with pytest.raises(TimeoutError):
            await slots.take(0.01)
        slots.give_back()
        await slots.take(0)  # free again: the request that gave up holds nothing

    _run(scenario())


def test_a_slot_handed_to_a_request_that_gave_up_meanwhile_goes_to_the_next():
    async def scenario():
        slots = Slots(1, asyncio.get_running_loop())
        await slots.take(5)
        first = asyncio.ensure_future(slots.take(5))
        second = asyncio.ensure_future(slots.take(5))
        await asyncio.sleep(0.01)
        # The first gives up, and the slot is handed to it before its giving up has run: the
        # hand-over finds it cancelled and passes the slot on.
        first.cancel()
        slots.give_back()
        await asyncio.wait_for(second, 1)
        with pytest.raises(asyncio.CancelledError):
            await first
        with pytest.raises(TimeoutError):
            await slots.take(0)  # the second holds it: none free

    _run(scenario())
