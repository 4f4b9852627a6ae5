"""The client's configuration: the online service ParaBench, the practice and its certificates.

The practice software keeps one "online service" per receiving party; for ParaBench it has type
``ParaBench``, name ``ParaBench``, the uploader's URL, and an empty user name and access code (the
client certificate says who is sending, not a password). We store exactly those fields, plus what
the command line needs to run unattended: the practice AGB code, where the certificates are, the
remembered certificate choice and, for test or private servers, the CA that signed the server.

Where the file lives, first match wins: ``--config FILE``; ``$PARABENCH_CLIENT_CONFIG``; the
user's configuration folder when a file is there; the machine-wide one (``%PROGRAMDATA%\\ParaBench``
on Windows, ``/etc/parabench`` elsewhere) — so a scheduled task running as a service account, which
has no user folder of its own, finds what an administrator set up with ``configure --machine``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SERVICE_TYPE = "ParaBench"
SERVICE_NAME = "ParaBench"
SERVICE_PATH = "/ParabenchUploader/services"
ENV_CONFIG = "PARABENCH_CLIENT_CONFIG"
ENV_PASSWORD = "PARABENCH_CERT_PASSWORD"
# Set by ``--config`` for one run of the command line (main() resets it).
override: Path | None = None
AGB_PATTERN = re.compile(r"^\d{8}$")


class ConfigError(Exception):
    """The configuration is missing or wrong; ``code`` is machine-readable, ``detail`` is Dutch."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class OnlineService:
    url: str
    type: str = SERVICE_TYPE
    name: str = SERVICE_NAME
    username: str = ""
    access_code: str = ""


@dataclass
class Config:
    service: OnlineService
    agb_code: str = ""
    cert_dir: str = ""
    cert_file: str = ""
    chosen_cert: str = ""  # SHA-256 fingerprint of the certificate chosen among several
    server_ca: str = ""  # PEM bundle that signed the server; empty = the system's trust store
    records_dir: str = ""  # where the practice software writes the four CSV files (the window)
    password_file: str = ""  # file holding the .pfx password (Windows exports always have one)
    # SHA-256 fingerprints ParaBench refused (blocked, unknown, expired): never chosen again.
    refused_certs: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "online_service": asdict(self.service),
            "practice": {"agb_code": self.agb_code, "records": self.records_dir},
            "certificates": {
                "folder": self.cert_dir,
                "file": self.cert_file,
                "chosen_sha256": self.chosen_cert,
                "password_file": self.password_file,
                "refused_sha256": list(self.refused_certs),
            },
            "server_ca": self.server_ca,
        }

    @classmethod
    def from_json(cls, data: dict) -> Config:
        service = data.get("online_service")
        if not isinstance(service, dict):
            raise ConfigError("service_missing")
        certificates = data.get("certificates") or {}
        practice = data.get("practice") or {}
        return cls(
            service=OnlineService(
                url=str(service.get("url", "")),
                type=str(service.get("type", "")),
                name=str(service.get("name", "")),
                username=str(service.get("username", "")),
                access_code=str(service.get("access_code", "")),
            ),
            agb_code=str(practice.get("agb_code", "")),
            records_dir=str(practice.get("records", "")),
            cert_dir=str(certificates.get("folder", "")),
            cert_file=str(certificates.get("file", "")),
            chosen_cert=str(certificates.get("chosen_sha256", "")),
            server_ca=str(data.get("server_ca", "")),
            password_file=str(certificates.get("password_file", "")),
            refused_certs=[str(f) for f in certificates.get("refused_sha256") or []],
        )


def user_config_path() -> Path:
    """The platform's per-user configuration file."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / "ParaBench" / "client.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ParaBench" / "client.json"
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "parabench" / "client.json"


def machine_config_path() -> Path:
    """The machine-wide configuration file, for every account (a service account included)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("PROGRAMDATA") or "C:/ProgramData")
        return base / "ParaBench" / "client.json"
    return Path(MACHINE_DIR) / "client.json"


MACHINE_DIR = "/etc/parabench"


def config_path() -> Path:
    """Where the configuration is read from and saved to (see the module's docstring)."""
    if override is not None:
        return override
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit)
    user = user_config_path()
    if not user.exists() and machine_config_path().exists():
        return machine_config_path()
    return user


def pfx_password(given: str | None, given_file: str | None, config: Config | None) -> str | None:
    """The .pfx password: --password, --password-file, $PARABENCH_CERT_PASSWORD, the configured
    file; None (empty) when there is none. Raises ConfigError when a named file cannot be read."""
    if given:
        return given
    for name in (given_file, None, config.password_file if config else ""):
        if name is None:
            if os.environ.get(ENV_PASSWORD):
                return os.environ[ENV_PASSWORD]
            continue
        if name:
            try:
                return Path(name).read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise ConfigError("password_file_unreadable", str(name)) from exc
    return None


def normalise_url(url: str) -> str:
    """Return the uploader URL without a trailing slash, or raise ConfigError("url_invalid")."""
    url = (url or "").strip()
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if parts.scheme != "https":
        raise ConfigError("url_not_https", url)
    if not parts.hostname:
        raise ConfigError("url_invalid", url)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("url_invalid", url)
    if not path.endswith(SERVICE_PATH):
        raise ConfigError("url_wrong_path", url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ConfigError("url_invalid", url) from exc
    return f"https://{parts.netloc}{path}"


def check_agb(code: str) -> str:
    code = (code or "").strip()
    if not AGB_PATTERN.match(code):
        raise ConfigError("agb_invalid", code)
    return code


def validate(config: Config) -> Config:
    """The online service must be the ParaBench one with a usable URL; raise ConfigError if not."""
    if config.service.type != SERVICE_TYPE:
        raise ConfigError("service_type_wrong", config.service.type)
    if config.service.name != SERVICE_NAME:
        raise ConfigError("service_name_wrong", config.service.name)
    config.service.url = normalise_url(config.service.url)
    if config.agb_code:
        check_agb(config.agb_code)
    return config


def load(path: Path | None = None) -> Config:
    """Read and validate the configuration; ConfigError explains what is missing or wrong."""
    path = path or config_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError("missing", str(path)) from exc
    except OSError as exc:
        raise ConfigError("unreadable", str(path)) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError("not_json", str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("not_json", str(path))
    return validate(Config.from_json(data))


def load_unvalidated(path: Path | None = None) -> Config | None:
    """The stored configuration as is (for ``configure`` to update); None when absent/broken."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Config.from_json(data) if isinstance(data, dict) else None
    except (OSError, json.JSONDecodeError, ConfigError):
        return None


def save(config: Config, path: Path | None = None, shared: bool = False) -> Path:
    """Write atomically, readable by the user only (it names the practice and its certificate);
    ``shared`` (the machine-wide file) readable by every account, so a service account can."""
    path = path or config_path()
    shared = shared or path == machine_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(config.to_json(), indent=2, ensure_ascii=False) + "\n"
    handle, temp_name = tempfile.mkstemp(prefix=".client-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if shared:
            os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def save_if_possible(config: Config, path: Path | None = None) -> bool:
    """Save what the client learnt by itself (a choice, a refused certificate); False when the
    file is not writable for this account (a machine-wide file read by a service account)."""
    try:
        save(config, path)
    except OSError:
        return False
    return True
