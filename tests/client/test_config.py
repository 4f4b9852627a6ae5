"""The online service ParaBench: stored once, validated, shown, and required by every command."""

import json
import stat

import pytest

from parabench_client import config
from parabench_client.cli import main

URL = "https://upload.parabench.nl/ParabenchUploader/services"


def test_configure_stores_the_online_service_as_the_practice_software_does(client_config):
    assert main(["configure", "--url", URL + "/"]) == 0

    stored = json.loads(client_config.read_text())
    assert stored["online_service"] == {
        "url": URL,
        "type": "ParaBench",
        "name": "ParaBench",
        "username": "",
        "access_code": "",
    }


def test_the_config_file_is_readable_by_the_user_only(client_config):
    main(["configure", "--url", URL])

    assert stat.S_IMODE(client_config.stat().st_mode) == 0o600


def test_configure_keeps_earlier_settings_when_one_is_changed(client_config, tmp_path):
    folder = tmp_path / "certs"
    folder.mkdir()
    main(["configure", "--url", URL, "--cert-dir", str(folder)])

    assert main(["configure", "--agb", "04123451"]) == 0

    loaded = config.load()
    assert (loaded.service.url, loaded.agb_code, loaded.cert_dir) == (URL, "04123451", str(folder))


def test_configure_show_prints_every_setting(client_config, capsys):
    main(["configure", "--url", URL, "--agb", "04123451"])

    assert main(["configure", "--show"]) == 0

    out = capsys.readouterr().out
    assert f"URL: {URL}" in out
    assert "Online dienst: type ParaBench, naam ParaBench" in out
    assert "Gebruikersnaam: (leeg)" in out
    assert "AGB-code praktijk: 04123451" in out


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://upload.parabench.nl/ParabenchUploader/services", "begint niet met https://"),
        ("https://upload.parabench.nl/services", "eindigt niet op /ParabenchUploader/services"),
        ("https:///ParabenchUploader/services", "is ongeldig"),
        ("https://upload.parabench.nl/ParabenchUploader/services?x=1", "is ongeldig"),
    ],
)
def test_configure_refuses_a_wrong_url_in_dutch(client_config, capsys, url, reason):
    assert main(["configure", "--url", url]) == 2

    assert reason in capsys.readouterr().err
    assert not client_config.exists()


def test_configure_refuses_an_agb_code_that_is_not_8_digits(client_config, capsys):
    assert main(["configure", "--url", URL, "--agb", "4123451"]) == 2

    assert "bestaat niet uit 8 cijfers" in capsys.readouterr().err


def test_configure_refuses_a_certificate_folder_that_does_not_exist(client_config, capsys):
    assert main(["configure", "--url", URL, "--cert-dir", "/nergens/te/vinden"]) == 2

    assert "bestaat niet" in capsys.readouterr().err


def test_the_first_configure_needs_a_url(client_config, capsys):
    assert main(["configure", "--agb", "04123451"]) == 2

    assert "Geef de URL van de online dienst op" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "er is nog geen instelling"),
        ("{niet json", "is beschadigd"),
        ('{"practice": {}}', "de online dienst ontbreekt"),
        (
            json.dumps({"online_service": {"type": "Vektis", "name": "ParaBench", "url": URL}}),
            "het type van de online dienst is 'Vektis'",
        ),
        (
            json.dumps({"online_service": {"type": "ParaBench", "name": "PB", "url": URL}}),
            "de naam van de online dienst is 'PB'",
        ),
        (
            json.dumps(
                {"online_service": {"type": "ParaBench", "name": "ParaBench", "url": "https://x"}}
            ),
            "eindigt niet op /ParabenchUploader/services",
        ),
    ],
)
@pytest.mark.parametrize(
    "command", [["export", "--records", ".", "--year", "2025"], ["status", "1"]]
)
def test_every_command_says_when_the_online_service_is_not_set_up(
    client_config, capsys, content, reason, command
):
    if content is not None:
        client_config.parent.mkdir(parents=True, exist_ok=True)
        client_config.write_text(content)

    assert main(command) == 3

    err = capsys.readouterr().err
    assert "De online dienst ParaBench is niet (goed) ingesteld" in err
    assert reason in err
    assert "parabench-client configure --url https://<server>/ParabenchUploader/services" in err


def test_the_message_is_english_when_asked(client_config, capsys, monkeypatch):
    monkeypatch.setenv("PARABENCH_LANG", "en")

    assert main(["configure", "--show"]) == 3

    assert "The online service ParaBench is not (correctly) set up" in capsys.readouterr().err


def test_the_config_lives_in_the_users_config_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PARABENCH_CLIENT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    assert config.config_path() == tmp_path / "parabench" / "client.json"


def test_a_port_in_the_url_is_kept(client_config):
    main(["configure", "--url", "https://127.0.0.1:8443/ParabenchUploader/services"])

    assert config.load().service.url == "https://127.0.0.1:8443/ParabenchUploader/services"


def test_a_service_account_without_a_user_configuration_reads_the_machine_wide_one(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.delenv("PARABENCH_CLIENT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "gebruiker"))
    monkeypatch.setattr(config, "MACHINE_DIR", str(tmp_path / "etc"))

    assert main(["configure", "--machine", "--url", URL, "--agb", "04123451"]) == 0

    machine = tmp_path / "etc" / "client.json"
    assert stat.S_IMODE(machine.stat().st_mode) == 0o644  # every account may read it
    assert config.config_path() == machine
    assert config.load().agb_code == "04123451"
    assert main(["configure", "--show"]) == 0
    assert str(machine) in capsys.readouterr().out


def test_config_names_the_file_for_one_run(client_config, tmp_path):
    elsewhere = tmp_path / "taak" / "client.json"

    assert main(["--config", str(elsewhere), "configure", "--url", URL]) == 0

    assert elsewhere.exists() and not client_config.exists()
    assert main(["--config", str(elsewhere), "configure", "--show"]) == 0
    assert config.override is None  # nothing of one run stays behind


def test_forget_certificate_clears_the_chosen_fixed_and_refused_ones(client_config, tmp_path):
    pfx = tmp_path / "x.pfx"
    pfx.write_bytes(b"-")
    main(["configure", "--url", URL, "--cert", str(pfx)])
    stored = config.load()
    stored.chosen_cert, stored.refused_certs = "ab" * 32, ["cd" * 32]
    config.save(stored)

    assert main(["configure", "--forget-certificate"]) == 0

    after = config.load()
    assert (after.cert_file, after.chosen_cert, after.refused_certs) == ("", "", [])
