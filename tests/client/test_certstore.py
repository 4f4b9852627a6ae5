"""The automatic certificate choice: valid ParaBench certificates only; ask once, remember."""

import datetime as dt
import subprocess

import pytest

from parabench_client import certstore, config
from parabench_client.transport import CertificateProblem, load_pfx
from tests.client.conftest import NOW, issue_client, make_ca, write_pfx


@pytest.fixture
def settings(client_config, pki):
    configured = config.Config(
        config.OnlineService(url="https://127.0.0.1:1/ParabenchUploader/services"),
        cert_dir=str(pki["cert_dir"]),
    )
    config.save(configured)
    return configured


def add(pki, name, ca=None, **validity):
    ca = ca or pki["ca"]
    key, cert = issue_client(ca, **validity)
    return write_pfx(pki["cert_dir"] / name, key, cert, ca)


def test_the_pfx_opens_with_an_empty_password_in_openssl_and_python(pki):
    path = add(pki, "ParaBench-04123451-1.pfx")

    listing = subprocess.run(
        ["openssl", "pkcs12", "-info", "-nokeys", "-passin", "pass:", "-in", str(path)],
        capture_output=True,
        text=True,
    )

    assert listing.returncode == 0, listing.stderr
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in listing.stderr
    assert "MAC: sha1" in listing.stderr
    assert load_pfx(path).subject.startswith("CN=Fysiotherapie Parabench (04123451)")


def test_the_only_valid_parabench_certificate_is_chosen(settings, pki):
    add(
        pki,
        "verlopen.pfx",
        not_before=NOW - dt.timedelta(days=900),
        not_after=NOW - dt.timedelta(1),
    )
    add(pki, "toekomst.pfx", not_before=NOW + dt.timedelta(days=5))
    add(pki, "vreemd.pfx", ca=make_ca("Andere CA", organization="Elders"))
    (pki["cert_dir"] / "kapot.pfx").write_bytes(b"geen pfx")
    (pki["cert_dir"] / "leesmij.txt").write_text("niet")
    good = add(pki, "goed.pfx")

    assert certstore.choose(settings).path == good


def test_several_valid_certificates_ask_once_and_the_choice_is_remembered(settings, pki):
    add(pki, "a.pfx")
    add(pki, "b.pfx")
    asked = []

    def ask(found):
        asked.append([c.path.name for c in found])
        return 1

    first = certstore.choose(settings, ask=ask)
    again = certstore.choose(config.load(), ask=ask)

    assert len(asked) == 1
    assert again.fingerprint == first.fingerprint
    assert config.load().chosen_cert == first.fingerprint


def test_certificates_of_several_practices_without_anyone_to_ask_is_a_clear_problem(settings, pki):
    add(pki, "a.pfx")
    key, cert = issue_client(pki["ca"], agb="04999001", name="Fysio Gouda")
    write_pfx(pki["cert_dir"] / "b.pfx", key, cert, pki["ca"])

    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(settings, ask=None)

    assert (problem.value.code, problem.value.detail) == ("several", "2")


def test_another_practices_certificate_is_not_a_candidate_once_the_agb_code_is_known(settings, pki):
    own = add(pki, "a.pfx")
    key, cert = issue_client(pki["ca"], agb="04999001", name="Fysio Gouda")
    write_pfx(pki["cert_dir"] / "b.pfx", key, cert, pki["ca"])
    settings.agb_code = "04123451"

    assert certstore.choose(settings, ask=None).path == own


def test_with_nobody_to_ask_the_newest_of_the_practices_certificates_is_used_unremembered(
    settings, pki
):
    """A scheduled task after the practice downloaded a new certificate beside the old one."""
    add(pki, "oud.pfx", not_before=NOW - dt.timedelta(days=300))
    new = add(pki, "nieuw.pfx", not_before=NOW - dt.timedelta(days=1))
    told = []

    chosen = certstore.choose(settings, ask=None, on_newest=lambda c, n: told.append(n))

    assert chosen.path == new and told == [2]
    assert config.load().chosen_cert == ""


def test_a_remembered_certificate_that_expired_is_no_longer_used(settings, pki):
    add(pki, "a.pfx")
    add(pki, "b.pfx")
    first = certstore.choose(settings, ask=lambda found: 0)

    later = NOW + dt.timedelta(days=5 * 365)
    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(config.load(), ask=None, now=later)

    assert first.fingerprint
    assert problem.value.code == "none_found"


def test_an_empty_folder_says_none_found(settings):
    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(settings)

    assert problem.value.code == "none_found"


def test_no_folder_and_no_file_says_how_to_configure_one(client_config):
    bare = config.Config(config.OnlineService(url="https://x/ParabenchUploader/services"))

    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(bare)

    assert problem.value.code == "no_folder"


def test_a_given_certificate_is_used_as_is_even_from_another_issuer(settings, pki):
    foreign = add(pki, "vreemd.pfx", ca=make_ca("Andere CA", organization="Elders"))

    assert certstore.choose(settings, explicit=str(foreign)).path == foreign


def test_a_password_protected_certificate_needs_its_password(settings, pki):
    key, cert = issue_client(pki["ca"])
    path = write_pfx(pki["cert_dir"] / "geheim.pfx", key, cert, pki["ca"], password=b"geheim")

    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(settings, explicit=str(path))
    assert problem.value.code == "password_needed"  # not "leave out --password"

    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(settings, explicit=str(path), password="fout")
    assert problem.value.code == "wrong_password"

    assert certstore.choose(settings, explicit=str(path), password="geheim").path == path


def test_the_password_comes_from_the_option_a_file_the_environment_or_the_configuration(
    settings, tmp_path, monkeypatch
):
    monkeypatch.delenv(config.ENV_PASSWORD, raising=False)
    secret = tmp_path / "wachtwoord.txt"
    secret.write_text("uit-bestand\r\n")
    assert config.pfx_password(None, None, settings) is None
    settings.password_file = str(secret)
    assert config.pfx_password(None, None, settings) == "uit-bestand"
    monkeypatch.setenv(config.ENV_PASSWORD, "uit-omgeving")
    assert config.pfx_password(None, None, settings) == "uit-omgeving"
    assert config.pfx_password(None, str(secret), settings) == "uit-bestand"
    assert config.pfx_password("gegeven", str(secret), settings) == "gegeven"
    with pytest.raises(config.ConfigError):
        config.pfx_password(None, str(tmp_path / "nergens.txt"), settings)


def test_a_refused_certificate_is_forgotten_and_the_next_valid_one_is_taken(settings, pki):
    old = add(pki, "ParaBench-04123451-1.pfx", not_before=NOW - dt.timedelta(days=30))
    new = add(pki, "ParaBench-04123451-2.pfx")
    chosen = certstore.choose(settings, ask=lambda found: [c.path for c in found].index(old))
    assert chosen.path == old
    assert certstore.choose(settings).path == old  # remembered, as before

    assert certstore.forget(settings, chosen) is True

    stored = config.load()
    assert stored.chosen_cert == ""
    assert stored.refused_certs == [chosen.fingerprint]
    asked = []
    assert certstore.choose(stored, ask=asked.append).path == new
    assert asked == []  # one valid certificate left: no question


def test_without_forgetting_the_blocked_certificate_sticks(settings, pki):
    """What issue 14 found: the remembered choice wins over a new certificate in the folder."""
    old = add(pki, "ParaBench-04123451-1.pfx", not_before=NOW - dt.timedelta(days=30))
    add(pki, "ParaBench-04123451-2.pfx")
    certstore.choose(settings, ask=lambda found: [c.path for c in found].index(old))

    assert certstore.choose(config.load()).path == old


def test_a_certificate_that_is_no_longer_valid_is_not_remembered(settings, pki):
    first = add(pki, "a.pfx", not_before=NOW - dt.timedelta(days=30))
    add(pki, "b.pfx")
    add(pki, "c.pfx", not_before=NOW - dt.timedelta(days=10))
    certstore.choose(settings, ask=lambda found: [c.path for c in found].index(first))
    first.unlink()

    asked = []
    certstore.choose(config.load(), ask=lambda found: asked.append(len(found)))
    assert asked == [2]  # two left: the question comes again, once
    assert config.load().chosen_cert == ""


def test_certificates_are_told_apart_by_serial_and_validity_not_a_raw_attribute(pki):
    path = add(pki, "x.pfx")
    certificate = load_pfx(path)
    assert certificate.label == "Fysiotherapie Parabench (04123451)"
    assert "2.5.4.5" not in certificate.label
    assert certificate.serial == format(certificate.certificate.serial_number, "x")


def test_a_file_that_is_not_a_pfx_is_unreadable(settings, pki):
    path = pki["cert_dir"] / "kapot.pfx"
    path.write_bytes(b"dit is geen certificaat")

    with pytest.raises(CertificateProblem) as problem:
        certstore.choose(settings, explicit=str(path))

    assert problem.value.code == "unreadable"
