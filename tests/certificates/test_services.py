import datetime as dt

import pytest
from django.utils import timezone

from parabench.certificates import pki, services
from parabench.certificates.models import CertificateEvent, ClientCertificate
from parabench.practices.models import Practice
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def _issue(practice, user=None, token=None):
    return services.issue_certificate(
        practice,
        actor=services.Actor(user=user, ip_address="192.0.2.10"),
        issue_token=token or services.new_issue_token(),
    )


def test_issuing_numbers_certificates_per_practice(practice_a, practice_b, user_a):
    first, created = _issue(practice_a, user_a)
    second, _ = _issue(practice_a, user_a)
    other, _ = _issue(practice_b)
    assert created
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.name == "Fysiotherapie Parabench (AGB 04123451)"
    assert first.issuer == "CN=ParaBench CA,O=ParaBench,C=NL"
    assert first.issued_by == user_a


def test_the_same_form_token_issues_one_certificate(practice_a):
    first, created_first = _issue(practice_a, token="form-1")
    again, created_again = _issue(practice_a, token="form-1")
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert ClientCertificate.objects.filter(practice=practice_a).count() == 1
    assert CertificateEvent.objects.filter(action="issued").count() == 1


def test_a_token_of_another_practice_does_not_hand_over_its_certificate(practice_a, practice_b):
    mine, _ = _issue(practice_a, token="same-token")
    theirs, created = _issue(practice_b, token="same-token")
    assert created and theirs.practice == practice_b and theirs.pk != mine.pk


def test_it_refuses_to_issue_for_a_cancelled_practice_with_a_reason(practice_a):
    practice_a.status = Practice.Status.CANCELLED
    practice_a.save()
    with pytest.raises(services.CertificateError) as refused:
        _issue(practice_a)
    assert refused.value.code == "practice_cancelled"
    assert "opgezegd" in refused.value.message
    assert not ClientCertificate.objects.exists()


def test_the_private_key_is_stored_sealed_never_in_plain_text(practice_a):
    certificate, _ = _issue(practice_a)
    sealed = bytes(ClientCertificate.objects.get(pk=certificate.pk).sealed_key)
    assert b"PRIVATE KEY" not in sealed
    assert b"\x30\x82" not in sealed[:16]  # not a bare DER key either
    assert len(sealed) > 1000


def test_the_first_download_delivers_the_key_and_destroys_it(practice_a, user_a):
    certificate, _ = _issue(practice_a, user_a)
    download = services.download_certificate(
        certificate.pk, practice=practice_a, actor=services.Actor(user=user_a, ip_address="::1")
    )
    assert download.file_name == "ParaBench-04123451-1.pfx"
    certificate.refresh_from_db()
    assert certificate.sealed_key is None
    assert certificate.downloaded_at is not None
    event = CertificateEvent.objects.get(action="downloaded")
    assert (event.username, event.ip_address, event.certificate) == ("anna", "::1", certificate)


def test_it_refuses_a_second_download_and_says_to_issue_a_new_one(practice_a):
    certificate, _pfx = issue_certificate_for(practice_a)
    with pytest.raises(services.CertificateError) as refused:
        services.download_certificate(certificate.pk, practice=practice_a, actor=services.Actor())
    assert refused.value.code == "certificate_already_downloaded"
    assert "geef een nieuw certificaat uit" in refused.value.message


def test_it_refuses_to_download_a_blocked_certificate(practice_a):
    certificate, _ = _issue(practice_a)
    services.block_certificate(certificate, actor=services.Actor())
    with pytest.raises(services.CertificateError) as refused:
        services.download_certificate(certificate.pk, practice=practice_a, actor=services.Actor())
    assert refused.value.code == "certificate_blocked"
    certificate.refresh_from_db()
    assert certificate.sealed_key is None  # blocking also destroys an undelivered key


def test_it_refuses_to_download_an_expired_certificate(practice_a):
    past = timezone.now() - dt.timedelta(days=400)
    certificate, _ = services.issue_certificate(
        practice_a,
        actor=services.Actor(),
        not_before=past,
        not_after=past + dt.timedelta(days=30),
    )
    with pytest.raises(services.CertificateError) as refused:
        services.download_certificate(certificate.pk, practice=practice_a, actor=services.Actor())
    assert refused.value.code == "certificate_expired"


def test_a_download_for_another_practice_does_not_exist(practice_a, practice_b):
    certificate, _ = _issue(practice_a)
    with pytest.raises(ClientCertificate.DoesNotExist):
        services.download_certificate(certificate.pk, practice=practice_b, actor=services.Actor())
    certificate.refresh_from_db()
    assert certificate.sealed_key is not None


def test_a_changed_encryption_key_gives_a_readable_refusal(practice_a, settings):
    certificate, _ = _issue(practice_a)
    settings.CERTIFICATE_KEY_ENCRYPTION_KEY = "a completely different secret"
    with pytest.raises(services.CertificateError) as refused:
        services.download_certificate(certificate.pk, practice=practice_a, actor=services.Actor())
    assert refused.value.code == "certificate_key_unreadable"


def test_the_wrapping_key_comes_from_the_setting_or_else_the_secret_key(settings):
    settings.CERTIFICATE_KEY_ENCRYPTION_KEY = ""
    assert services.wrapping_key() == pki.derive_wrapping_key(settings.SECRET_KEY)
    settings.CERTIFICATE_KEY_ENCRYPTION_KEY = "configured"
    assert services.wrapping_key() == pki.derive_wrapping_key("configured")


def test_blocking_is_logged_once_and_cannot_be_repeated(practice_a, operator):
    certificate, _ = _issue(practice_a)
    actor = services.Actor(user=operator, ip_address="198.51.100.7")
    assert services.block_certificate(certificate, actor=actor) is True
    assert services.block_certificate(certificate, actor=actor) is False
    assert certificate.blocked_by == operator
    event = CertificateEvent.objects.get(action="blocked")
    assert (event.username, event.is_operator, event.ip_address) == (
        "beheerder",
        True,
        "198.51.100.7",
    )


def test_blocking_enqueues_a_crl_reissue(practice_a, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    certificate, _ = _issue(practice_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.block_certificate(certificate, actor=services.Actor())
    assert DBTaskResult.objects.filter(task_path__endswith="tasks.reissue_crl").count() == 1


def test_the_factory_makes_expired_and_blocked_certificates(practice_a):
    past = timezone.now() - dt.timedelta(days=10)
    expired, pfx = issue_certificate_for(practice_a, not_before=past, not_after=past, blocked=True)
    assert expired.is_expired() and expired.is_blocked and expired.is_downloaded
    assert pfx.startswith(b"\x30")
