"""Expiry e-mails 60, 30 and 7 days ahead, run by the scheduled task with the clock moved on."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parabench.certificates import tasks
from parabench.certificates.expiry import send_expiry_notices
from parabench.certificates.models import ExpiryNotice
from tests.certificates.factories import issue_certificate_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring(practice_a):
    UserFactory(username="anna", practice=practice_a, email="anna@praktijk.nl")
    UserFactory(username="oud", practice=practice_a, email="oud@praktijk.nl", is_active=False)
    certificate, _pfx = issue_certificate_for(practice_a)
    return certificate


def run_task_at(moment):
    with time_machine.travel(moment, tick=False):
        return tasks.send_expiry_notices.call()


def test_the_scheduled_task_mails_60_30_and_7_days_before_and_each_only_once(expiring):
    end = expiring.not_after
    assert run_task_at(end - dt.timedelta(days=61)) == 0
    assert run_task_at(end - dt.timedelta(days=59)) == 1
    assert run_task_at(end - dt.timedelta(days=58)) == 0  # the next day: nothing new
    assert run_task_at(end - dt.timedelta(days=29)) == 1
    assert run_task_at(end - dt.timedelta(days=29)) == 0  # run twice the same day
    assert run_task_at(end - dt.timedelta(days=6)) == 1
    assert run_task_at(end - dt.timedelta(days=1)) == 0
    assert run_task_at(end + dt.timedelta(days=1)) == 0  # expired: no more mail

    assert [m.to for m in mail.outbox] == [["anna@praktijk.nl"]] * 3
    assert "verloopt over 59 dagen" in mail.outbox[0].subject
    assert "verloopt over 6 dagen" in mail.outbox[2].subject
    assert "parabench-client certificaat vernieuwen" in mail.outbox[0].body
    assert sorted(ExpiryNotice.objects.values_list("days_before", flat=True)) == [7, 30, 60]


def test_after_a_pause_only_the_most_urgent_notice_goes_out(expiring):
    assert run_task_at(expiring.not_after - dt.timedelta(days=5)) == 1
    assert run_task_at(expiring.not_after - dt.timedelta(days=4)) == 0
    assert list(ExpiryNotice.objects.values_list("days_before", flat=True)) == [7]


def test_a_renewed_or_blocked_certificate_gets_no_notice(expiring, practice_a):
    from parabench.certificates import services

    now = timezone.now()
    renewed_by, _pfx = issue_certificate_for(
        practice_a, not_before=now, not_after=expiring.not_after + dt.timedelta(days=365)
    )
    assert send_expiry_notices(now=expiring.not_after - dt.timedelta(days=20)) == 0
    services.block_certificate(renewed_by, actor=services.Actor())
    assert send_expiry_notices(now=expiring.not_after - dt.timedelta(days=20)) == 1
    services.block_certificate(expiring, actor=services.Actor())
    assert send_expiry_notices(now=expiring.not_after - dt.timedelta(days=5)) == 0


def test_a_scheduled_run_books_the_next_one_a_day_later(expiring, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(expiring.not_after - dt.timedelta(days=59), tick=False):
        tasks.send_expiry_notices.call(scheduled=True)
        booked = DBTaskResult.objects.get(task_path=tasks.send_expiry_notices.module_path)
        assert booked.run_after == timezone.now() + dt.timedelta(days=1)
        assert tasks.ensure_expiry_schedule() is False  # one waiting run is enough
