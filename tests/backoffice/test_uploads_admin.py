import pytest
from django.urls import reverse

from parabench.uploads.models import Import
from tests.uploads.factories import upload_export


@pytest.fixture(autouse=True)
def upload_storage(settings, tmp_path):
    settings.UPLOAD_STORAGE_DIR = tmp_path / "uploads"


def test_operators_see_every_upload_with_status_and_warnings(db, operator_client, practice_a):
    imp = upload_export(practice_a)
    response = operator_client.get(reverse("admin:uploads_import_changelist"))
    assert response.status_code == 200
    assert practice_a.name in response.content.decode()
    assert (
        operator_client.get(reverse("admin:uploads_import_change", args=[imp.pk])).status_code
        == 200
    )


def test_practice_users_cannot_open_the_uploads_admin(db, client_a):
    response = client_a.get(reverse("admin:uploads_import_changelist"))
    assert response.status_code == 302


def test_the_requeue_action_queues_rejected_imports_again(db, operator_client, practice_a):
    from django_tasks_db.models import DBTaskResult

    imp = upload_export(practice_a)
    Import.objects.filter(pk=imp.pk).update(status="rejected", errors=[{"code": "x"}])
    DBTaskResult.objects.all().delete()
    response = operator_client.post(
        reverse("admin:uploads_import_changelist"),
        {"action": "requeue_imports", "_selected_action": [imp.pk]},
        follow=True,
    )
    assert "opnieuw in de wachtrij" in response.content.decode()
    imp.refresh_from_db()
    assert (imp.status, imp.errors) == ("received", [])
    assert DBTaskResult.objects.get().args_kwargs["args"][0] == imp.pk
