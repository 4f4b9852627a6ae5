"""An import through the real importer queues both notifications, inside its transaction; the
worker then mails the users who opted in."""

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

    assert _queued(notify_imported) == [imp.pk]
    assert _queued(notify_verdicts) == []  # nobody asked for verdicts: no task polling for them
    assert notify_imported.call(imp.pk) == "sent to 1"
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
    assert _queued(notify_verdicts) == [imp.pk]
    assert _queued(notify_imported) == []


def test_a_rejected_upload_queues_nothing(practice_a, settings):
    imp = upload_export(practice_a)
    (settings.UPLOAD_STORAGE_DIR / imp.body_path).unlink()  # the stored body is gone: rejected
    importer.import_upload.call(imp.pk)
    assert not DBTaskResult.objects.filter(task_path=notify_imported.module_path).exists()
