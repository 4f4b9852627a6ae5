import datetime as dt
import subprocess

import pytest
from cryptography import x509
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parabench.certificates.lookup import ca_certificate_pem
from parabench.certificates.tasks import CRL_REISSUE_INTERVAL, ensure_crl_schedule, reissue_crl
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def test_reissue_crl_writes_a_signed_crl_listing_blocked_certificates(settings, practice_a):
    blocked, _ = issue_certificate_for(practice_a, blocked=True)
    active, _ = issue_certificate_for(practice_a)
    path = reissue_crl.call()
    crl = x509.load_pem_x509_crl(settings.CA_CRL_PATH.read_bytes())
    assert path == str(settings.CA_CRL_PATH)
    ca = x509.load_pem_x509_certificate(ca_certificate_pem())
    assert crl.is_signature_valid(ca.public_key())
    assert crl.get_revoked_certificate_by_serial_number(int(blocked.serial_hex, 16))
    assert crl.get_revoked_certificate_by_serial_number(int(active.serial_hex, 16)) is None
    assert crl.next_update_utc - timezone.now() > 6 * CRL_REISSUE_INTERVAL


def test_openssl_accepts_the_crl_file(settings, practice_a, tmp_path):
    issue_certificate_for(practice_a, blocked=True)
    reissue_crl.call()
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca_certificate_pem())
    result = subprocess.run(
        ["openssl", "crl", "-in", str(settings.CA_CRL_PATH), "-CAfile", str(ca_file), "-noout"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "verify OK" in result.stderr + result.stdout


def test_a_scheduled_run_books_exactly_one_next_run():
    reissue_crl.call(scheduled=True)
    reissue_crl.call(scheduled=True)
    waiting = DBTaskResult.objects.filter(task_path=reissue_crl.module_path, status="READY")
    assert waiting.count() == 1
    run_after = waiting.get().run_after
    assert timezone.now() + CRL_REISSUE_INTERVAL - dt.timedelta(minutes=1) < run_after
    assert ensure_crl_schedule() is False


def test_the_management_command_writes_the_crl_and_starts_the_schedule(tmp_path, capsys):
    out = tmp_path / "crl.pem"
    call_command("reissue_crl", "--out", str(out), "--schedule")
    assert x509.load_pem_x509_crl(out.read_bytes()).next_update_utc > timezone.now()
    assert "enqueued" in capsys.readouterr().out
    assert DBTaskResult.objects.filter(task_path=reissue_crl.module_path).count() == 1
