"""``enqueue_once``: work that follows from many events is queued once, not once per event;
and the other rules tasks share."""

import gc
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parabench import tasks
from parabench.benchmark.tasks import recompute_years, refresh_statistics
from parabench.tasks import enqueue_once, enqueue_plainly, kept_heap, paused_cycle_collector

pytestmark = pytest.mark.django_db


def _queued(task):
    return list(
        DBTaskResult.objects.filter(task_path=task.module_path)
        .order_by("enqueued_at")
        .values_list("args_kwargs", flat=True)
    )


def test_the_same_call_is_queued_once_while_it_waits():
    assert enqueue_once(refresh_statistics, 2025) is True
    assert enqueue_once(refresh_statistics, 2025) is False
    assert enqueue_once(refresh_statistics, 2024) is True
    assert [q["args"] for q in _queued(refresh_statistics)] == [[2025], [2024]]


def test_arguments_are_compared_whole_also_lists_and_keywords():
    assert enqueue_once(recompute_years, [2024, 2025])
    assert not enqueue_once(recompute_years, [2024, 2025])
    assert enqueue_once(recompute_years, [2024])
    assert enqueue_once(refresh_statistics, 2025, attempt=2)
    assert not enqueue_once(refresh_statistics, 2025, attempt=2)
    assert enqueue_once(refresh_statistics, 2025)


def test_a_call_already_running_does_not_stop_a_new_one_from_being_queued():
    # It may have read the data before the event that asks for the work again.
    enqueue_once(refresh_statistics, 2025)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    assert enqueue_once(refresh_statistics, 2025) is True
    assert enqueue_once(refresh_statistics, 2025) is False


def test_options_such_as_a_later_start_keep_the_call_the_same():
    from datetime import timedelta

    from django.utils import timezone

    later = refresh_statistics.using(run_after=timezone.now() + timedelta(minutes=5))
    assert enqueue_once(later, 2025)
    assert not enqueue_once(refresh_statistics, 2025)


def test_the_twin_is_looked_for_in_sql_not_by_reading_every_waiting_call():
    for year in range(1990, 2030):
        enqueue_once(refresh_statistics, year)
    with CaptureQueriesContext(connection) as queries:
        assert enqueue_once(refresh_statistics, 2025) is False
    (query,) = [q["sql"] for q in queries.captured_queries]
    select, _, where = query.partition(" WHERE ")
    assert "args_kwargs" in where  # the arguments are compared by the database ...
    assert "args_kwargs" not in select  # ... and no waiting call's arguments are read
    assert "LIMIT 1" in query


def test_keywords_and_dict_keys_in_another_order_are_the_same_call():
    assert enqueue_once(refresh_statistics, {"b": [1, {"y": 2, "x": 1}], "a": 0}, attempt=2)
    assert not enqueue_once(refresh_statistics, {"a": 0, "b": [1, {"x": 1, "y": 2}]}, attempt=2)
    assert enqueue_once(refresh_statistics, attempt=2, year=2025)
    assert not enqueue_once(refresh_statistics, year=2025, attempt=2)
    assert enqueue_once(refresh_statistics, {"a": 0, "b": [{"x": 1, "y": 2}, 1]}, attempt=2)


def test_json_types_count_so_true_is_not_the_number_one():
    # Python says True == 1, the stored JSON does not: the call with 1 is another call.
    assert enqueue_once(recompute_years, [True])
    assert enqueue_once(recompute_years, [1])
    assert not enqueue_once(recompute_years, [1])
    assert enqueue_once(recompute_years, [1.5])
    assert not enqueue_once(recompute_years, [1.5])


def test_the_paused_cycle_collector_comes_back_as_it_was_also_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_cycle_collector():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_cycle_collector():
            pass
        assert not gc.isenabled()  # whoever paused it before decides when it runs again
    finally:
        gc.enable()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_kept_heap_is_set_once_however_nested_and_anew_after_an_error():
    with kept_heap() as outer, kept_heap() as inner:
        # The inner one must leave glibc alone, or its end would end the outer one's too.
        assert (outer, inner) == (True, False)
    with pytest.raises(ZeroDivisionError), kept_heap():
        1 / 0  # noqa: B018
    with kept_heap() as again:
        assert again


def test_the_kept_heap_lasts_until_the_last_of_two_overlapping_holders_ends(monkeypatch):
    """Two refreshes in two threads: the one that began first may end first."""
    calls = []
    monkeypatch.setattr(tasks, "_mallopt", lambda: lambda param, value: calls.append(value))
    first, second = kept_heap(), kept_heap()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert calls[-1] == tasks._KEPT_TRIM_THRESHOLD  # still kept: the second one works on
    second.__exit__(None, None, None)
    assert calls[-1] == tasks._GLIBC_THRESHOLD


def _rows(task) -> list[dict]:
    """The queued rows of ``task`` as the worker reads them, without what differs per call."""
    rows = DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at")
    return [
        {
            f.attname: getattr(row, f.attname)
            for f in DBTaskResult._meta.concrete_fields
            if f.attname not in ("id", "enqueued_at")
        }
        for row in rows
    ]


@pytest.mark.parametrize("delayed", [False, True], ids=["now", "later"])
def test_a_plainly_queued_task_is_the_row_the_backend_writes(delayed):
    from datetime import timedelta

    from django.utils import timezone

    from parabench.uploads.importer import import_upload

    task = import_upload
    if delayed:
        task = import_upload.using(run_after=timezone.now() + timedelta(minutes=5))
    task.enqueue(41, 1)
    enqueue_plainly(task, 41, 1)
    backend, plain = _rows(import_upload)
    assert plain == backend
    assert plain["status"] == TaskResultStatus.READY
    ids = DBTaskResult.objects.values_list("id", flat=True)
    assert len(set(ids)) == 2
