"""CA rollover: a new CA issues from now on; the old CA's certificates work until renewed."""

import pytest
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from parabench.certificates import pki
from parabench.certificates.ca import write_ca_files
from parabench.certificates.lookup import current_crl, identify_practice
from tests.certificates.factories import issue_certificate_for, roll_over_ca

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_ca_certificate(settings, practice_a, tmp_path):
    """A certificate under the first CA, then the rollover of the settings to a second CA."""
    certificate, _pfx = issue_certificate_for(practice_a)
    roll_over_ca(settings, tmp_path / "ca-2029")
    return certificate


def test_without_the_previous_ca_setting_every_old_certificate_would_stop(
    old_ca_certificate, settings
):
    settings.CA_PREVIOUS_CERT_PATHS = []
    assert identify_practice(old_ca_certificate.certificate_pem).code == (
        "certificate_foreign_issuer"
    )


def test_old_certificates_keep_working_and_new_ones_come_from_the_new_ca(
    old_ca_certificate, practice_a
):
    assert identify_practice(old_ca_certificate.certificate_pem).ok
    new, _pfx = issue_certificate_for(practice_a)
    assert "ParaBench CA 2029" in new.issuer
    assert identify_practice(new.certificate_pem).ok


def test_blocking_an_old_certificate_reaches_the_old_cas_crl(old_ca_certificate):
    from parabench.certificates import services

    services.block_certificate(old_ca_certificate, actor=services.Actor())
    assert identify_practice(old_ca_certificate.certificate_pem).code == "certificate_blocked"
    parts = current_crl("pem").split(b"-----END X509 CRL-----")[:-1]
    crls = [x509.load_pem_x509_crl(part + b"-----END X509 CRL-----\n") for part in parts]
    by_issuer = {crl.issuer.rfc4514_string(): crl for crl in crls}
    old = by_issuer[old_ca_certificate.issuer]
    assert old.get_revoked_certificate_by_serial_number(int(old_ca_certificate.serial_hex, 16))
    new = next(crl for name, crl in by_issuer.items() if "2029" in name)
    assert len(list(new)) == 0


def test_a_new_ca_with_the_old_name_is_refused(settings, tmp_path, practice_a):
    old_cert = settings.CA_CERT_PATH
    issue_certificate_for(practice_a)
    same_name = tmp_path / "same"
    write_ca_files(pki.create_ca(settings.CA_NAME), same_name / "ca.pem", same_name / "ca.key")
    settings.CA_CERT_PATH, settings.CA_KEY_PATH = same_name / "ca.pem", same_name / "ca.key"
    settings.CA_PREVIOUS_CERT_PATHS = [str(old_cert)]
    with pytest.raises(ImproperlyConfigured, match="same name"):
        identify_practice(pki.certificate_pem(pki.create_ca("x").certificate))


def test_the_status_command_counts_what_still_depends_on_the_old_ca(old_ca_certificate, capsys):
    call_command("ca_rollover_status")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("current  CN=ParaBench CA 2029") and ": 0 valid" in out[0]
    assert out[1].startswith("previous") and ": 1 valid certificate(s), the last until" in out[1]


def test_the_trust_bundle_holds_the_new_the_old_and_the_acceptance_ca(
    old_ca_certificate, settings, tmp_path
):
    out = tmp_path / "bundle.pem"
    call_command("ca_trust_bundle", out=out)
    names = [
        x509.load_pem_x509_certificate(b"-----BEGIN" + part).subject.rfc4514_string()
        for part in out.read_bytes().split(b"-----BEGIN")[1:]
    ]
    assert [n.split(",")[0] for n in names] == [
        "CN=ParaBench CA 2029",
        "CN=ParaBench CA",
        "CN=ParaBench Acceptatie CA",
    ]
