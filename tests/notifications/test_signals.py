"""An import through the real importer queues both notifications, inside its transaction; the
worker then mails the users who opted in."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from parabench.notifications.models import Preference
from parabench.notifications.tasks import notify_imported, notify_verdicts
from parabench.uploads import importer
from tests.uploads.factories import upload_export

pytestmark = pytest.mark.django_db


def test_an_import_queues_its_notifications_and_the_worker_mails_who_opted_in(
    practice_a, user_a, mailoutbox
):
    Preference.objects.create(user=user_a, on_import=True)
    imp = upload_export(practice_a)
    assert not DBTaskResult.objects.filter(task_path=notify_imported.module_path).exists()
    importer.import_upload.call(imp.pk)

    queued = DBTaskResult.objects.filter(
        task_path__in=[notify_imported.module_path, notify_verdicts.module_path]
    )
    assert sorted(r.args_kwargs["args"][0] for r in queued) == [imp.pk, imp.pk]
    assert notify_imported.call(imp.pk) == "sent to 1"
    (mail,) = mailoutbox
    assert mail.to == [user_a.email]
    assert reverse("dashboard:detail", args=[imp.pk]) in mail.body


def test_a_rejected_upload_queues_nothing(practice_a, settings):
    imp = upload_export(practice_a)
    (settings.UPLOAD_STORAGE_DIR / imp.body_path).unlink()  # the stored body is gone: rejected
    importer.import_upload.call(imp.pk)
    assert not DBTaskResult.objects.filter(task_path=notify_imported.module_path).exists()
