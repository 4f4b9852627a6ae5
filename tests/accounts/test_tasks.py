"""The password-reset mail: the request does the same work for every address, the worker sends
the link, and the link never appears in a log."""

import logging
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.accounts.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def _request_reset(client, email):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    return [query["sql"] for query in queries.captured_queries]


def test_a_reset_request_does_the_same_work_for_an_unknown_address(
    anonymous_client, user_a, mailoutbox
):
    known = _request_reset(anonymous_client, user_a.email)
    unknown = _request_reset(anonymous_client, "niemand@example.org")
    # No account lookup and no mail in the request: one queued task each, the same statements.
    assert [q.split(" ", 1)[0] for q in known] == [q.split(" ", 1)[0] for q in unknown]
    assert known and not any("accounts_user" in q for q in known + unknown)
    assert mailoutbox == []
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.args_kwargs["args"] for t in tasks] == [
        [user_a.email, "nl"],
        ["niemand@example.org", "nl"],
    ]
    assert run_queued_tasks() == 2
    assert [m.to for m in mailoutbox] == [[user_a.email]]
    assert "/wachtwoord/instellen/" in mailoutbox[0].body


def test_the_reset_link_is_in_the_mail_and_in_no_log(
    anonymous_client, user_a, settings, tmp_path, caplog, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    caplog.set_level(logging.DEBUG)
    anonymous_client.post(reverse("password_reset"), {"email": user_a.email})
    run_queued_tasks()

    (mail,) = Path(settings.EMAIL_FILE_PATH).iterdir()
    body = mail.read_text()
    start = body.index("/wachtwoord/instellen/")
    link_path = body[start : body.index("\n", start)].strip()
    output = capsys.readouterr()
    assert link_path.count("/") >= 5  # uid and token are in it
    for text in (caplog.text, output.out, output.err):
        assert link_path not in text
