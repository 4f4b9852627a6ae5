"""Moving a practice to another network queues a recompute of the years it has figures in; a
worker gives memory back after a statistics task."""

import gc

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.models import GroupStatistics
from parabench.benchmark.tasks import recompute_years, refresh_statistics
from parabench.uploads.tasks import sweep_uploads
from tests.benchmark.factories import make_import
from tests.factories import NetworkFactory, PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _queued():
    return list(
        DBTaskResult.objects.filter(task_path=recompute_years.module_path).values_list(
            "args_kwargs", flat=True
        )
    )


def test_moving_a_practice_to_another_network_queues_a_recompute_of_its_years():
    old, new = NetworkFactory(), NetworkFactory()
    practices = [PracticeFactory(network=old) for _ in range(5)]
    for practice in practices:
        make_import(practice, 2024)
        make_import(practice, 2025)
    assert _queued() == []
    for practice in practices:
        practice.network = new
        practice.save()
    # One waiting recompute for the whole move, not one per practice.
    assert [task["args"] for task in _queued()] == [[[2024, 2025]]]
    recompute_years.call([2024, 2025])
    assert not GroupStatistics.objects.filter(kind="network", key=str(old.pk)).exists()
    assert (
        GroupStatistics.objects.get(year=2025, window="Q1", kind="network", key=str(new.pk)).n == 5
    )


def test_other_changes_to_a_practice_queue_nothing():
    practice = PracticeFactory()
    make_import(practice, 2025)
    practice.name = "Nieuwe naam"
    practice.save()
    assert _queued() == []


def _full_collections_while(run) -> int:
    """Full (generation 2) collections while ``run`` runs, with automatic collection off: only
    an explicit ``gc.collect()`` counts."""
    seen = []

    def probe(phase, info):
        if phase == "start" and info["generation"] == 2:
            seen.append(info)

    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(probe)
    try:
        run()
    finally:
        gc.callbacks.remove(probe)
        if was_enabled:
            gc.enable()
    return len(seen)


def _run_in_a_worker(task, *args) -> DBTaskResult:
    """The django-tasks-db worker's own ``run_task``, which sends ``task_finished``."""
    result = DBTaskResult.objects.get(pk=task.enqueue(*args).id)
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run_task(result)
    result.refresh_from_db()
    return result


def test_a_worker_gives_memory_back_after_a_statistics_task_but_a_direct_call_does_not():
    make_import(PracticeFactory(), 2025, recompute=False)
    assert _full_collections_while(lambda: refresh_statistics.call(2025)) == 0
    finished = []
    assert (
        _full_collections_while(lambda: finished.append(_run_in_a_worker(refresh_statistics, 2025)))
        == 1
    )
    assert finished[0].status == TaskResultStatus.SUCCESSFUL
    # Other tasks (an import takes milliseconds) leave the heap alone.
    assert _full_collections_while(lambda: _run_in_a_worker(sweep_uploads)) == 0
