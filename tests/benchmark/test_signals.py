"""Moving a practice to another network queues a recompute of the years it has figures in."""

import pytest
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.models import GroupStatistics
from parabench.benchmark.tasks import recompute_years
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
