"""Password-reset mail, sent by the worker rather than in the request.

Why: looking up the account and talking to the SMTP server happen only when the address belongs
to an account, so a request that did them would take measurably longer for a real address and
tell an outsider who has an account. The request only queues this task (the same work for every
address); the worker finds the account, if any, and sends the link. The link itself is built
here, from PORTAL_URL, and never stored or logged: the task row holds only the address.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django_tasks import task


@task()
def send_password_reset(email: str, language: str) -> str:
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return "invalid address"
    portal = urlsplit(settings.PORTAL_URL)
    with translation.override(language):
        form.save(
            domain_override=portal.netloc,
            use_https=portal.scheme == "https",
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        )
    return "handled"
