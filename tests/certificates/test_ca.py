import stat

import pytest
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from parabench.certificates import pki
from parabench.certificates.ca import get_ca


def _point_at(settings, directory, auto_create):
    settings.CA_CERT_PATH = directory / "ca.pem"
    settings.CA_KEY_PATH = directory / "ca.key"
    settings.CA_AUTO_CREATE = auto_create


def test_the_embedded_default_creates_the_ca_once_with_a_private_key_file(settings, tmp_path):
    _point_at(settings, tmp_path / "ca", True)
    first = get_ca()
    assert stat.S_IMODE((tmp_path / "ca" / "ca.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca").stat().st_mode) == 0o700
    assert get_ca().certificate == first.certificate
    assert pki.common_name_of(first.certificate) == "ParaBench CA"


def test_production_without_ca_files_stops_with_a_clear_error(settings, tmp_path):
    _point_at(settings, tmp_path / "missing", False)
    with pytest.raises(ImproperlyConfigured, match="manage.py create_ca"):
        get_ca()
    assert not (tmp_path / "missing").exists()


def test_a_key_that_does_not_match_the_certificate_is_refused(settings, tmp_path):
    one, two = pki.create_ca("One"), pki.create_ca("Two")
    (tmp_path / "ca.pem").write_bytes(pki.certificate_pem(one.certificate))
    (tmp_path / "ca.key").write_bytes(pki.private_key_pem(two.key))
    _point_at(settings, tmp_path, False)
    with pytest.raises(ImproperlyConfigured, match="does not hold the private key"):
        get_ca()


def test_half_a_ca_is_not_silently_replaced(settings, tmp_path):
    _point_at(settings, tmp_path, True)
    (tmp_path / "ca.pem").write_bytes(pki.certificate_pem(pki.create_ca().certificate))
    with pytest.raises(ImproperlyConfigured, match="restore the other from the backup"):
        get_ca()


def test_create_ca_makes_a_production_ca_and_says_what_to_back_up(settings, tmp_path, capsys):
    call_command("create_ca", "--out", str(tmp_path / "prod"), "--name", "ParaBench Productie CA")
    output = capsys.readouterr().out
    assert "Back up BOTH files" in output and "CA_KEY_PATH=" in output
    assert stat.S_IMODE((tmp_path / "prod" / "ca.key").stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate((tmp_path / "prod" / "ca.pem").read_bytes())
    assert pki.common_name_of(certificate) == "ParaBench Productie CA"
    _point_at(settings, tmp_path / "prod", False)
    assert get_ca().certificate == certificate


def test_create_ca_never_overwrites_an_existing_ca(tmp_path):
    call_command("create_ca", "--out", str(tmp_path))
    before = (tmp_path / "ca.key").read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_ca", "--out", str(tmp_path))
    assert (tmp_path / "ca.key").read_bytes() == before
