"""An import through the real importer queues the notifications its practices' users opted in to,
inside its transaction, one of each kind per imported batch; the worker then mails them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parabench.notifications.models import Preference
from parabench.notifications.tasks import notify_imported, notify_verdicts
from parabench.uploads import importer
from tests.factories import UserFactory
from tests.uploads.factories import upload_export

pytestmark = pytest.mark.django_db


def _queued(task):
    return [
        r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=task.module_path)
    ]


def test_an_import_queues_its_notifications_and_the_worker_mails_who_opted_in(
    practice_a, user_a, mailoutbox
):
    Preference.objects.create(user=user_a, on_import=True)
    imp = upload_export(practice_a)
    assert not DBTaskResult.objects.filter(task_path=notify_imported.module_path).exists()
    importer.import_upload.call(imp.pk)

    assert _queued(notify_imported) == [[imp.pk]]
    assert _queued(notify_verdicts) == []  # nobody asked for verdicts: no task polling for them
    assert notify_imported.call([imp.pk]) == "sent to 1"
    (mail,) = mailoutbox
    assert mail.to == [user_a.email]
    assert reverse("dashboard:detail", args=[imp.pk]) in mail.body


def test_an_import_of_a_practice_where_nobody_opted_in_queues_no_notification_task(
    practice_a, user_a, practice_b, user_b
):
    Preference.objects.create(user=user_a)  # a row, both off
    Preference.objects.create(user=user_b, on_import=True, on_verdict=True)  # another practice
    # Opted in, but never mailed: no address, or no longer active.
    for unreachable in [
        UserFactory(practice=practice_a, email=""),
        UserFactory(practice=practice_a, is_active=False),
    ]:
        Preference.objects.create(user=unreachable, on_import=True, on_verdict=True)
    imp = upload_export(practice_a)
    importer.import_upload.call(imp.pk)
    imp.refresh_from_db()
    assert imp.status == imp.Status.IMPORTED
    assert _queued(notify_imported) == _queued(notify_verdicts) == []


def test_a_verdict_task_is_queued_when_a_colleague_asked_for_verdicts_only(practice_a, user_a):
    Preference.objects.create(user=UserFactory(practice=practice_a), on_verdict=True)
    imp = upload_export(practice_a)
    importer.import_upload.call(imp.pk)
    assert _queued(notify_verdicts) == [[imp.pk]]
    assert _queued(notify_imported) == []


def test_a_rejected_upload_queues_nothing(practice_a, settings):
    imp = upload_export(practice_a)
    (settings.UPLOAD_STORAGE_DIR / imp.body_path).unlink()  # the stored body is gone: rejected
    importer.import_upload.call(imp.pk)
    assert not DBTaskResult.objects.filter(task_path=notify_imported.module_path).exists()


def test_a_batch_of_imports_queues_one_notification_of_each_kind_for_all_of_them(
    practice_a, practice_b, user_a, user_b, mailoutbox
):
    Preference.objects.create(user=user_a, on_import=True, on_verdict=True)
    Preference.objects.create(user=user_b, on_import=True, on_verdict=True)
    imports = [upload_export(practice_a), upload_export(practice_b)]
    importer.import_upload.call(imports[0].pk)  # takes the waiting other one along

    for task in (notify_imported, notify_verdicts):
        (queued,) = DBTaskResult.objects.filter(task_path=task.module_path)
        assert queued.args_kwargs["args"][0] == [imp.pk for imp in imports]
    assert notify_imported.call([imp.pk for imp in imports]) == "sent to 2"
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([user_a.email, user_b.email])


def test_a_notification_queued_for_one_import_before_batching_still_runs(
    practice_a, user_a, mailoutbox
):
    Preference.objects.create(user=user_a, on_import=True)
    imp = upload_export(practice_a)
    importer.import_upload.call(imp.pk)
    assert notify_imported.call(imp.pk) == "sent to 1"


def test_the_verdicts_first_look_when_the_statistics_refresh_can_have_run(
    practice_a, user_a, settings
):
    settings.UPLOAD_STATISTICS_DELAY_SECONDS = 600
    Preference.objects.create(user=user_a, on_verdict=True)
    imp = upload_export(practice_a)
    importer.import_upload.call(imp.pk)
    imp.refresh_from_db()

    (verdicts,) = DBTaskResult.objects.filter(task_path=notify_verdicts.module_path)
    first_look = imp.imported_at + timedelta(seconds=600)
    assert first_look <= verdicts.run_after < first_look + timedelta(seconds=60)
