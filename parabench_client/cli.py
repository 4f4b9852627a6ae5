"""``parabench-client``: configure, export, send, status, validate, synth and venster.

The command line only orchestrates: reading records and aggregating them (``records``,
``aggregate``), the format (``parabench_format``), certificates (``certstore``), HTTPS
(``transport``) and the generator (``synth``) are plain modules. Every failure ends in one of
the documented exit codes (docs/export-client.md) with a message on stderr, in Dutch or (with
``PARABENCH_LANG=en``) English. A new command is one ``add_*`` function listed in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from parabench_client import __version__, certrequest, certstore, synth
from parabench_client import config as config_module
from parabench_client.aggregate import DEFAULT_SOFTWARE, build_export
from parabench_client.exits import (
    EXIT_BAD_RECORDS,
    EXIT_CERTIFICATE,
    EXIT_INTERNAL,
    EXIT_NOT_CONFIGURED,
    EXIT_NOTHING_TO_EXPORT,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    Failure,
)
from parabench_client.messages import MESSAGES, language, localise_argparse, t
from parabench_client.progress import Bar
from parabench_client.records import RecordProblem, RecordsError, load_records
from parabench_client.transport import (
    CertificateProblem,
    ClientCertificate,
    NotParaBench,
    NotTls,
    ServerRefused,
    TlsRefused,
    Unavailable,
    Uploader,
    tls_context,
)
from parabench_format import (
    FORMAT,
    NothingToExport,
    PeriodError,
    Problem,
    period_problems,
    validate_export,
)
from parabench_format.models import FORMAT_1_0, FORMAT_1_1
from parabench_format.periods import FIRST_YEAR

# --format-version: 1.1 by default; 1.0 for a portal that does not read 1.1 yet.
FORMAT_VERSIONS = {"1.0": FORMAT_1_0, "1.1": FORMAT_1_1}


MAX_PROBLEMS_SHOWN = 50
# ParaBench's answers (or TLS alerts) that mean "this certificate will never be accepted again":
# the client then forgets it and takes the next valid one from the folder.
CERTIFICATE_GONE = {
    "certificate_blocked",
    "certificate_unknown",
    "certificate_expired",
    "certificate_foreign_issuer",
    "tls:certificate_revoked",
    "tls:certificate_expired",
}
# Record problems about a whole file: --lenient (which leaves out bad lines) cannot help there.
FILE_LEVEL_CODES = {"file_missing", "columns_missing", "not_utf8", "csv_invalid"}
LENIENT_MAX_REJECTED_SHARE = 0.5


@dataclass
class Prepared:
    """One export ready to write or send: its year, the model and its JSON bytes."""

    year: int
    export: object
    body: bytes


class _Log:
    """``--log FILE``: every line the user sees, with a time stamp, appended to a file (UTF-8)."""

    stream = None

    @classmethod
    def write(cls, text: str) -> None:
        if cls.stream is not None:
            stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            for line in text.splitlines() or [""]:
                cls.stream.write(f"{stamp} {line}\n")
            cls.stream.flush()


def _out(text: str) -> None:
    print(text, flush=True)
    _Log.write(text)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
    _Log.write(text)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("bad_date", value=value)) from exc


YEAR_WORDS = {
    "vorig": "previous",
    "previous": "previous",
    "huidig": "current",
    "current": "current",
}


def _year(value: str) -> int | str:
    """A calendar year (2000 or later), or ``vorig``/``huidig`` resolved against today later."""
    word = YEAR_WORDS.get(value.strip().lower())
    if word:
        return word
    if not (value.isdigit() and len(value) == 4):
        raise argparse.ArgumentTypeError(t("year.invalid", value=value))
    if int(value) < FIRST_YEAR:
        raise argparse.ArgumentTypeError(t("year.too_early", value=value, first=FIRST_YEAR))
    return int(value)


def _resolve_years(years, today: dt.date) -> list[int]:
    resolved = {
        today.year - 1 if y == "previous" else today.year if y == "current" else y for y in years
    }
    return sorted(resolved)


# --- configuration -------------------------------------------------------------------------------


def _config_error_reason(error: config_module.ConfigError) -> str:
    return t(f"config.{error.code}", detail=error.detail)


def _configured() -> config_module.Config:
    try:
        return config_module.load()
    except config_module.ConfigError as error:
        raise Failure(
            EXIT_NOT_CONFIGURED, t("not_configured", reason=_config_error_reason(error))
        ) from error


def cmd_configure(args) -> int:
    path = config_module.machine_config_path() if args.machine else config_module.config_path()
    if args.show:
        config = _configured()
        empty = t("empty")
        _out(
            t(
                "configure.show",
                path=config_module.config_path(),
                type=config.service.type,
                name=config.service.name,
                url=config.service.url,
                username=config.service.username or empty,
                access_code=config.service.access_code or empty,
                agb=config.agb_code or empty,
                cert_dir=config.cert_dir or empty,
                cert_file=config.cert_file or empty,
                chosen=config.chosen_cert or empty,
                refused=len(config.refused_certs),
                records=config.records_dir or empty,
                password_file=config.password_file or empty,
                server_ca=config.server_ca or empty,
            )
        )
        return EXIT_OK
    config = config_module.load_unvalidated(path)
    if config is None or args.url:
        if not args.url:
            raise Failure(EXIT_USAGE, t("configure.needs_url"))
        previous = config
        config = config_module.Config(service=config_module.OnlineService(url=args.url))
        if previous is not None:
            config.agb_code, config.cert_dir = previous.agb_code, previous.cert_dir
            config.cert_file, config.server_ca = previous.cert_file, previous.server_ca
            config.chosen_cert, config.refused_certs = previous.chosen_cert, previous.refused_certs
            config.password_file = previous.password_file
            config.records_dir = previous.records_dir
    # The online service of the practice software: always this type and name, no user/code.
    config.service.type = config_module.SERVICE_TYPE
    config.service.name = config_module.SERVICE_NAME
    config.service.username = ""
    config.service.access_code = ""
    if args.agb is not None:
        config.agb_code = args.agb.strip()
    if args.forget_certificate:
        config.chosen_cert, config.cert_file, config.refused_certs = "", "", []
    for attribute, value, must_be in (
        ("cert_dir", args.cert_dir, "dir"),
        ("cert_file", args.cert, "file"),
        ("server_ca", args.server_ca, "file"),
        ("password_file", args.password_file, "file"),
        ("records_dir", args.records, "dir"),
    ):
        if value is None:
            continue
        if value == "":
            setattr(config, attribute, "")
            continue
        resolved = Path(value).expanduser().resolve()
        exists = resolved.is_dir() if must_be == "dir" else resolved.is_file()
        if not exists:
            raise Failure(EXIT_USAGE, t("configure.path_missing", path=resolved))
        setattr(config, attribute, str(resolved))
    try:
        config_module.validate(config)
    except config_module.ConfigError as error:
        raise Failure(
            EXIT_USAGE, t("configure.bad_value", reason=_config_error_reason(error))
        ) from error
    try:
        saved = config_module.save(config, path)
    except OSError as error:
        raise Failure(
            EXIT_USAGE, t("configure.not_writable", path=path, detail=error.strerror)
        ) from error
    _out(t("configure.saved", path=saved))
    if args.forget_certificate:
        _out(t("configure.forgotten"))
    return EXIT_OK


def _agb(args, config: config_module.Config) -> str:
    agb = (getattr(args, "agb", None) or config.agb_code or "").strip()
    if not agb:
        raise Failure(EXIT_USAGE, t("agb_missing"))
    if not config_module.AGB_PATTERN.match(agb):
        raise Failure(EXIT_USAGE, t("agb_invalid", agb=agb))
    return agb


# --- records and exports -------------------------------------------------------------------------


def _load(folder: Path, lenient: bool):
    """The practice records; in strict mode any bad line stops the command with its location.

    Lenient mode stops too when more than half of a file's lines were left out: then the lines
    are not the exception but the format (dates as dd-mm-jjjj, say), and an export of the rest
    would replace the practice's year with a fraction of it.
    """
    if not folder.is_dir():
        raise Failure(EXIT_USAGE, t("records.missing", path=folder))
    _out(t("records.reading", path=folder))
    try:
        records = load_records(folder, strict=not lenient)
    except RecordsError as error:
        raise Failure(EXIT_BAD_RECORDS, _problems_text(error.problems, strict=True)) from error
    report = records.report
    _out(
        t(
            "records.read",
            patients=report.read.get("patients", 0),
            episodes=report.read.get("episodes", 0),
            sessions=report.read.get("sessions", 0),
            therapists=report.read.get("therapists", 0),
        )
    )
    if records.problems:
        _err(_problems_text(records.problems, strict=False))
    for kind, read in report.read.items():
        left_out = read - report.kept.get(kind, 0)
        if read and left_out > LENIENT_MAX_REJECTED_SHARE * read:
            raise Failure(
                EXIT_BAD_RECORDS,
                t("records.lenient_too_many", file=f"{kind}.csv", left_out=left_out, read=read),
            )
    return records


def _problems_text(problems: list[RecordProblem], strict: bool) -> str:
    """Errors first, then warnings, each with file and line; what happens next at the end."""
    errors = [p for p in problems if p.severity == "error"]
    lines = [t("records.problems", errors=len(errors), warnings=len(problems) - len(errors))]
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        key = "records.problem" if problem.severity == "error" else "records.warning"
        if not problem.line:
            key += "_file"
        lines.append(t(key, file=problem.file, line=problem.line, message=_localised(problem)))
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(t("records.more", count=len(problems) - MAX_PROBLEMS_SHOWN))
    if strict and any(p.code in FILE_LEVEL_CODES for p in errors):
        lines.append(t("records.file_stop"))
    elif strict:
        lines.append(t("records.strict_stop"))
    elif errors:
        lines.append(t("records.lenient"))
    return "\n".join(lines)


def _localised(problem) -> str:
    """A problem's message in the chosen language (objects or the protocol's dicts)."""
    get = problem.get if isinstance(problem, dict) else lambda k, d="": getattr(problem, k, d)
    if language() == "en" and get("message_en", ""):
        return str(get("message_en", ""))
    return str(get("message", ""))


def _prepare(args, config, today: dt.date) -> tuple[list[Prepared], list[str]]:
    """Build the export of every requested year; refusals (future, nothing yet) come back apart."""
    agb = _agb(args, config)
    records = _load(Path(args.records), args.lenient)
    prepared, refused = [], []
    for year in _resolve_years(args.years, today):
        try:
            export = build_export(
                records,
                year,
                today,
                agb_code=agb,
                year_closed=args.year_closed,
                software=DEFAULT_SOFTWARE,
                format_version=FORMAT_VERSIONS[args.format_version],
            )
        except PeriodError as error:
            message = error.message_en if _english() else error.message
            if "current" in args.years and year == today.year and type(error) is NothingToExport:
                # "huidig" in January-March: nothing is due yet, which is no failure for a task.
                _out(message)
            else:
                refused.append(message)
            continue
        prepared.append(Prepared(year, export, export.model_dump_json(indent=1).encode()))
    return prepared, refused


def _english() -> bool:
    return language() == "en"


def _note_current_year(item: Prepared, today: dt.date) -> None:
    if item.year == today.year:
        period = item.export.period
        _out(
            t(
                "export.partial_year",
                year=item.year,
                begin=_nl_date(period.begin),
                end=_nl_date(period.end),
            )
        )


def _nl_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def cmd_export(args) -> int:
    config = _configured()
    today = args.today or dt.date.today()
    prepared, refused = _prepare(args, config, today)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for item in prepared:
        _note_current_year(item, today)
        target = out / f"parabench-{item.export.practice.agb_code}-{item.year}.json"
        target.write_bytes(item.body)
        _out(t("export.written", year=item.year, path=target))
    for message in refused:
        _err(message)
    return EXIT_NOTHING_TO_EXPORT if refused else EXIT_OK


# --- sending -------------------------------------------------------------------------------------


def _ask_terminal(found: list[ClientCertificate]) -> int | None:
    """Let a person at a terminal pick one certificate; None when nobody can answer."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    _out(t("cert.choose"))
    for number, certificate in enumerate(found, start=1):
        _out(_certificate_option(number, certificate))
    try:
        answer = input(t("cert.prompt")).strip()
    except EOFError:
        return None
    if not answer.isdigit():
        return None
    _out(t("cert.remembered"))
    return int(answer) - 1


def _certificate_option(number: int, certificate: ClientCertificate) -> str:
    """One line per certificate: two renewals differ in serial number and validity."""
    return t(
        "cert.option",
        number=number,
        label=certificate.label,
        serial=certificate.serial,
        since=_nl_date(certificate.not_before.date()),
        until=_nl_date(certificate.not_after.date()),
        name=certificate.path.name,
    )


def _password(args, config) -> str | None:
    try:
        return config_module.pfx_password(
            getattr(args, "password", None), getattr(args, "password_file", None), config
        )
    except config_module.ConfigError as error:
        raise Failure(EXIT_CERTIFICATE, t("cert.password_file", path=error.detail)) from error


def _certificate(args, config, ask=None, renew: bool = True) -> ClientCertificate:
    try:
        certificate = certstore.choose(
            config,
            explicit=getattr(args, "cert", None),
            password=_password(args, config),
            ask=ask or _ask_terminal,
            on_newest=lambda newest, count: _out(t("cert.newest", count=count)),
        )
    except CertificateProblem as problem:
        raise Failure(
            EXIT_CERTIFICATE,
            t(f"cert.{problem.code}", path=problem.path, detail=problem.detail),
        ) from problem
    _out(
        t(
            "cert.using",
            label=certificate.label,
            serial=certificate.serial,
            until=_nl_date(certificate.not_after.date()),
        )
    )
    if renew:  # warn from 30 days before the end and renew (certrequest.py, issue 20)
        certificate = certrequest.check_expiry(
            config, certificate, password=_password(args, config), out=_out, err=_err
        )
    return certificate


def _uploader(config, certificate: ClientCertificate | None) -> Uploader:
    context = tls_context(certificate, config.server_ca or None)

    def on_retry(attempt: int, delay: float, reason: str) -> None:
        _err(t("send.retry", reason=reason, delay=f"{delay:g}"))

    return Uploader(config.service.url, context, on_retry=on_retry)


class Connection:
    """The uploader as seen with one certificate; changes certificate when ParaBench refuses it.

    Why here: a practice downloads a new certificate after blocking the old one; the next run
    must take the new one by itself, not keep sending the blocked one (issue 14).
    """

    def __init__(self, args, config, ask=None):
        self.args, self.config, self.ask = args, config, ask
        self.certificate = _certificate(args, config, ask)
        self.uploader = _uploader(config, self.certificate)

    def talk(self, action: Callable[[Uploader], dict], what: str = "request") -> dict:
        try:
            return _talk(self.config, lambda: action(self.uploader), what)
        except Failure as failure:
            if failure.code not in CERTIFICATE_GONE or getattr(self.args, "cert", None):
                raise
            can_choose = certstore.forget(self.config, self.certificate)
            _err(failure.text)
            if not can_choose:
                raise Failure(
                    failure.exit_code, t("cert.forgotten_fixed", label=self.certificate.label)
                ) from failure
            _err(t("cert.forgotten", label=self.certificate.label, serial=self.certificate.serial))
            self.certificate = _certificate(self.args, self.config, self.ask)
            self.uploader = _uploader(self.config, self.certificate)
            return _talk(self.config, lambda: action(self.uploader), what)


def _talk(config, action, what: str = "request"):
    """Run one exchange with the uploader and turn every failure into its exit code."""
    try:
        return action()
    except ServerRefused as refused:
        raise Failure(EXIT_REFUSED, _refusal_text(refused, what), refused.code) from refused
    except TlsRefused as tls:
        if tls.server_untrusted:
            text = t("send.server_untrusted", url=config.service.url, reason=tls.reason)
            raise Failure(EXIT_CERTIFICATE, text) from tls
        key = _tls_reason_key(tls.reason)
        reason = t(f"send.tls_reason.{key}") if key else tls.reason
        raise Failure(EXIT_CERTIFICATE, t("send.tls_refused", reason=reason), f"tls:{key}") from tls
    except NotTls as plain:
        raise Failure(
            EXIT_UNAVAILABLE, t("send.not_tls", url=config.service.url, reason=plain.reason)
        ) from plain
    except NotParaBench as other:
        raise Failure(
            EXIT_UNAVAILABLE,
            t(
                "send.not_parabench",
                url=config.service.url,
                status=other.status,
                content_type=other.content_type,
            ),
        ) from other
    except Unavailable as down:
        raise Failure(
            EXIT_UNAVAILABLE,
            t(
                "send.unavailable",
                url=config.service.url,
                attempts=down.attempts,
                reason=down.last,
            ),
        ) from down


def _tls_reason_key(reason: str) -> str:
    """The TLS alert the server sent (or a silently closed handshake) as a message key."""
    upper = reason.upper()
    for marker, key in (
        ("CERTIFICATE_REQUIRED", "certificate_required"),
        ("CERTIFICATE_EXPIRED", "certificate_expired"),
        ("UNKNOWN_CA", "unknown_ca"),
        ("CERTIFICATE_REVOKED", "certificate_revoked"),
        ("BAD_CERTIFICATE", "bad_certificate"),
        ("EOF", "closed"),
    ):
        if marker in upper:
            return key
    return ""


def _refusal_text(refused: ServerRefused, what: str = "request") -> str:
    error = refused.error
    message = _localised(error)
    lines = [
        t(
            "send.refused" if what == "export" else "send.refused_request",
            status=refused.status,
            code=refused.code,
            message=message,
        )
    ]
    problems = error.get("problems") or []
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        if isinstance(problem, dict):
            lines.append(
                t(
                    "problem",
                    path=problem.get("path", "$"),
                    code=problem.get("code", ""),
                    message=_localised(problem),
                )
            )
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(t("records.more", count=len(problems) - MAX_PROBLEMS_SHOWN))
    return "\n".join(lines)


def _whole_period_window(export):
    """The window that covers the export's whole period (Q1, or Q1-Qn)."""
    for window in export.windows:
        if window.begin == export.period.begin and window.end == export.period.end:
            return window
    return export.windows[-1]


def _summary(item: Prepared) -> str:
    export = item.export
    window = _whole_period_window(export)
    return t(
        "summary",
        agb=export.practice.agb_code,
        year=item.year,
        begin=_nl_date(export.period.begin),
        end=_nl_date(export.period.end),
        patients=window.patients.total,
        episodes=window.episodes.active,
        sessions=window.sessions.total,
    )


def _validation_lines(problems) -> list[str]:
    """The validator's problems as lines with JSON path and code, at most MAX_PROBLEMS_SHOWN."""
    lines = [
        t("problem", path=p.path, code=p.code, message=p.message_en if _english() else p.message)
        for p in problems[:MAX_PROBLEMS_SHOWN]
    ]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(t("records.more", count=len(problems) - MAX_PROBLEMS_SHOWN))
    return lines


def _check_export_file(path: Path, today: dt.date):
    """The file's bytes and the validator's report, with the period rule for ``today`` added
    (what the uploader adds for the day the upload arrives)."""
    try:
        body = path.read_bytes()
    except OSError as error:
        raise Failure(
            EXIT_USAGE, t("export.file_unreadable", path=path, detail=error.strerror)
        ) from error
    report = validate_export(body)
    if report.export is not None:
        seen = {(p.path, p.code) for p in report.problems}
        period = report.export.period
        for code, message, message_en in period_problems(period.begin, period.end, today):
            if ("$.period", code) not in seen:
                report.problems.append(Problem("$.period", code, message, message_en))
    return body, report


def _read_export_file(path: Path, today: dt.date) -> Prepared:
    body, report = _check_export_file(path, today)
    if not report.ok or report.export is None:
        lines = [t("export.file_invalid", path=path), *_validation_lines(report.problems)]
        raise Failure(EXIT_BAD_RECORDS, "\n".join(lines))
    return Prepared(report.export.period.begin.year, report.export, body)


def cmd_send(args) -> int:
    config = _configured()
    today = args.today or dt.date.today()
    if args.file:
        prepared, refused = [_read_export_file(Path(args.file), today)], []
    elif args.records and args.years:
        prepared, refused = _prepare(args, config, today)
    else:
        raise Failure(EXIT_USAGE, t("send.needs_input"))
    for message in refused:
        _err(message)
    if not prepared:
        return EXIT_NOTHING_TO_EXPORT if refused else EXIT_OK
    connection = Connection(args, config)
    for item in prepared:
        if not args.file:
            _note_current_year(item, today)
        _out(_summary(item))
        bar = Bar(t("send.progress"))
        if args.dry_run:
            connection.talk(
                lambda uploader, item=item, bar=bar: uploader.post_export(
                    item.body, bar, "validate"
                ),
                "export",
            )
            _out(t("send.dry_run_ok", year=item.year))
            continue
        answer = connection.talk(
            lambda uploader, item=item, bar=bar: uploader.post_export(item.body, bar), "export"
        )
        number = answer["import_number"]
        _out(t("send.duplicate" if answer.get("duplicate") else "send.accepted", number=number))
        if args.wait:
            status = _wait(connection, answer.get("status_url") or number, args.wait)
            _print_status(status)
            if status.get("status") == "rejected":
                return EXIT_REFUSED
            if status.get("status") != "imported":
                _out(t("status.still_busy", number=number))
        else:
            _out(t("send.status_hint", number=number))
    return EXIT_NOTHING_TO_EXPORT if refused else EXIT_OK


def _wait(connection: Connection, target, seconds: float) -> dict:
    """Poll the status until the import is done or rejected, at most ``seconds`` long."""
    _out(t("status.waiting"))
    deadline = time.monotonic() + seconds
    while True:
        status = connection.talk(lambda uploader: uploader.import_status(target))
        if status.get("status") in ("imported", "rejected") or time.monotonic() >= deadline:
            return status
        time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))


def _print_status(status: dict) -> None:
    state = str(status.get("status", ""))
    key = f"status.{state}"
    _out(
        t(
            "status.line",
            number=status.get("import_number", ""),
            status=t(key) if key in MESSAGES else state,
        )
    )
    _out(
        t(
            "status.times",
            uploaded=status.get("uploaded_at") or "-",
            imported=status.get("imported_at") or "-",
            begin=status.get("period_begin") or "-",
            end=status.get("period_end") or "-",
        )
    )
    for warning in status.get("warnings") or []:
        _out(t("status.warning", message=_localised(warning)))
    for error in status.get("errors") or []:
        _out(t("status.error", message=_localised(error)))


def cmd_status(args) -> int:
    config = _configured()
    connection = Connection(args, config)
    try:
        if args.wait:
            status = _wait(connection, args.number, args.wait)
        else:
            status = connection.talk(lambda uploader: uploader.import_status(args.number))
    except Failure as failure:
        if failure.code == "not_found":
            raise Failure(
                EXIT_REFUSED, t("status.unknown", number=args.number), "not_found"
            ) from failure
        raise
    _print_status(status)
    return EXIT_REFUSED if status.get("status") == "rejected" else EXIT_OK


def cmd_validate(args) -> int:
    """Offline: the very validator the uploader runs. ``--online``: the uploader's validation-only
    endpoint, which also checks the certificate against the AGB code and stores nothing."""
    today = args.today or dt.date.today()
    path = Path(args.file)
    body, report = _check_export_file(path, today)
    if not report.ok:
        _err(
            "\n".join(
                [
                    t("validate.invalid", path=path, count=len(report.problems)),
                    *_validation_lines(report.problems),
                ]
            )
        )
        return EXIT_BAD_RECORDS
    _out(t("validate.ok", path=path, format=FORMAT))
    if not args.online:
        return EXIT_OK
    config = _configured()
    connection = Connection(args, config)
    connection.talk(lambda uploader: uploader.post_export(body, None, "validate"), "export")
    _out(t("validate.online_ok", url=config.service.url))
    return EXIT_OK


def cmd_window(args) -> int:
    """The small window for the practice (tkinter is imported only here)."""
    from parabench_client import window

    return window.run(args, command=main)


def cmd_certificate_request(args) -> int:
    config = _configured()
    return certrequest.run(
        lambda: certrequest.request_certificate(config, args.code, password=args.password)
    )


def cmd_certificate_renew(args) -> int:
    config = _configured()
    current = _certificate(args, config, renew=False)
    return certrequest.run(lambda: certrequest.renew(config, current, password=args.password))


def add_certificate(commands) -> None:
    """``certificaat aanvragen | vernieuwen`` (issue 20): the parsers are certrequest's, the
    handlers these (they read the configuration and the current certificate as every command
    does)."""
    certrequest.add_commands(
        commands, on_request=cmd_certificate_request, on_renew=cmd_certificate_renew
    )


def cmd_synth(args) -> int:
    if args.year_from > args.year_to:
        raise Failure(
            EXIT_USAGE, t("synth.bad_years", year_from=args.year_from, year_to=args.year_to)
        )
    province = args.province.upper() if args.province else None
    if province and province not in synth.PROVINCES:
        raise Failure(
            EXIT_USAGE,
            t("synth.bad_province", province=args.province, choices=", ".join(synth.PROVINCES)),
        )
    today = args.today or dt.date.today()
    patients = args.patients or synth.practice_size(args.seed, args.size)
    out = Path(args.out)
    totals = synth.generate_records(
        out,
        seed=args.seed,
        years=range(args.year_from, args.year_to + 1),
        today=today,
        patients_per_year=patients,
        province=province,
    )
    _out(
        t(
            "synth.written",
            path=out,
            patients=totals.patients,
            episodes=totals.episodes,
            sessions=totals.sessions,
            therapists=totals.therapists,
            year_from=args.year_from,
            year_to=args.year_to,
        )
    )
    return EXIT_OK


# --- the parser ----------------------------------------------------------------------------------


def add_configure(commands) -> None:
    sub = _command(commands, "configure", cmd_configure)
    sub.add_argument("--url", help=t("help.url"))
    sub.add_argument("--agb", help=t("help.agb"))
    sub.add_argument("--cert-dir", help=t("help.cert_dir"))
    sub.add_argument("--cert", help=t("help.cert_fixed"))
    sub.add_argument("--password-file", metavar=t("meta.file"), help=t("help.password_file_store"))
    sub.add_argument("--server-ca", help=t("help.server_ca"))
    sub.add_argument("--records", metavar=t("meta.folder"), help=t("help.records_store"))
    sub.add_argument("--machine", action="store_true", help=t("help.machine"))
    sub.add_argument("--forget-certificate", action="store_true", help=t("help.forget"))
    sub.add_argument("--show", action="store_true", help=t("help.show"))


def _add_records(sub, required: bool) -> None:
    sub.add_argument(
        "--records", required=required, metavar=t("meta.folder"), help=t("help.records")
    )
    sub.add_argument(
        "--year",
        dest="years",
        type=_year,
        action="append",
        required=required,
        metavar=t("meta.year"),
        help=t("help.year"),
    )
    sub.add_argument("--agb", help=t("help.agb_override"))
    strictness = sub.add_mutually_exclusive_group()
    strictness.add_argument("--strict", dest="lenient", action="store_false", help=t("help.strict"))
    strictness.add_argument("--lenient", action="store_true", help=t("help.lenient"))
    sub.add_argument("--year-closed", action="store_true", help=t("help.year_closed"))
    sub.add_argument(
        "--format-version", choices=sorted(FORMAT_VERSIONS), default="1.1", help=t("help.format")
    )
    sub.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    sub.set_defaults(lenient=False)


def _add_certificate(sub) -> None:
    sub.add_argument("--cert", metavar=t("meta.file"), help=t("help.cert"))
    sub.add_argument("--password", metavar=t("meta.password"), help=t("help.password"))
    sub.add_argument("--password-file", metavar=t("meta.file"), help=t("help.password_file"))


def _add_wait(sub) -> None:
    sub.add_argument(
        "--wait",
        type=float,
        nargs="?",
        const=120.0,
        default=0.0,
        metavar=t("meta.seconds"),
        help=t("help.wait"),
    )


def add_export(commands) -> None:
    sub = _command(commands, "export", cmd_export)
    _add_records(sub, required=True)
    sub.add_argument("--out", default=".", metavar=t("meta.folder"), help=t("help.out"))


def add_send(commands) -> None:
    sub = _command(commands, "send", cmd_send)
    _add_records(sub, required=False)
    sub.add_argument("--file", metavar=t("meta.file"), help=t("help.file"))
    _add_certificate(sub)
    _add_wait(sub)
    sub.add_argument("--dry-run", action="store_true", help=t("help.dry_run"))


def add_status(commands) -> None:
    sub = _command(commands, "status", cmd_status)
    sub.add_argument("number", type=int, metavar=t("meta.import_number"), help=t("help.number"))
    _add_certificate(sub)
    _add_wait(sub)


def add_validate(commands) -> None:
    sub = _command(commands, "validate", cmd_validate)
    sub.add_argument("file", metavar=t("meta.file"), help=t("help.validate_file"))
    sub.add_argument("--online", action="store_true", help=t("help.online"))
    _add_certificate(sub)
    sub.add_argument("--today", type=_date, help=argparse.SUPPRESS)


def add_synth(commands) -> None:
    sub = _command(commands, "synth", cmd_synth)
    sub.add_argument("--out", required=True, metavar=t("meta.folder"), help=t("help.synth_out"))
    sub.add_argument(
        "--year-from", type=int, required=True, metavar=t("meta.year"), help=t("help.year_from")
    )
    sub.add_argument(
        "--year-to", type=int, required=True, metavar=t("meta.year"), help=t("help.year_to")
    )
    sub.add_argument("--seed", type=int, default=1, help=t("help.seed"))
    size = sub.add_mutually_exclusive_group()
    size.add_argument("--size", choices=sorted(synth.SIZES), help=t("help.size"))
    size.add_argument("--patients", type=int, help=t("help.patients"))
    sub.add_argument("--province", help=t("help.province"))
    sub.add_argument("--today", type=_date, help=argparse.SUPPRESS)


def add_window(commands) -> None:
    sub = _command(commands, "venster", cmd_window, aliases=["window"])
    sub.add_argument("--records", metavar=t("meta.folder"), help=t("help.records"))
    sub.add_argument("--today", type=_date, help=argparse.SUPPRESS)


# Every command of the client, in the order of the help. A new command (e.g. ``certificate
# request``) is one more function here: it adds its sub-parser with ``_command``.
COMMANDS: list[Callable] = [
    add_configure,
    add_export,
    add_send,
    add_status,
    add_validate,
    add_synth,
    add_window,
    add_certificate,  # certificaat aanvragen | vernieuwen (issue 20)
]


def _command(commands, name: str, handler, aliases=()):
    sub = commands.add_parser(
        name, aliases=list(aliases), help=t(f"command.{name}"), description=t(f"command.{name}")
    )
    sub.set_defaults(handler=handler)
    return sub


def build_parser() -> argparse.ArgumentParser:
    localise_argparse()
    parser = argparse.ArgumentParser(
        prog="parabench-client",
        description=t("help.description"),
        epilog=t("help.epilog"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"parabench-client {__version__} ({FORMAT})",
        help=t("help.version"),
    )
    parser.add_argument("--config", metavar=t("meta.file"), help=t("help.config"))
    parser.add_argument("--log", metavar=t("meta.file"), help=t("help.log"))
    commands = parser.add_subparsers(dest="command", required=True, metavar=t("meta.command"))
    for add in COMMANDS:
        add(commands)
    return parser


def _safe_console() -> None:
    """Never die on a console that cannot show a character (cp850, ASCII): replace it instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _open_log(path: str) -> None:
    try:
        _Log.stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in main()
    except OSError as error:
        raise Failure(EXIT_USAGE, t("log.unwritable", path=path, detail=error.strerror)) from error


def _masked(argv: list[str]) -> str:
    shown, hide = [], False
    for argument in argv:
        shown.append("***" if hide else argument)
        hide = argument == "--password"
        if argument.startswith("--password="):
            shown[-1] = "--password=***"
    return " ".join(shown)


def main(argv: list[str] | None = None) -> int:
    _safe_console()
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    config_module.override = Path(args.config).expanduser() if args.config else None
    code = EXIT_INTERNAL
    try:
        if args.log:
            _open_log(args.log)
            _Log.write(t("log.start", version=__version__, arguments=_masked(argv)))
        code = args.handler(args)
    except Failure as failure:
        _err(failure.text)
        code = failure.exit_code
    except KeyboardInterrupt:
        _err(t("interrupted"))
        code = 130
    except Exception as error:  # noqa: BLE001 - an unattended run must end in a message, not a traceback
        if os.environ.get("PARABENCH_DEBUG"):
            raise
        _err(t("internal", kind=type(error).__name__, detail=error))
        code = EXIT_INTERNAL
    finally:
        _Log.write(t("log.end", code=code))
        if _Log.stream is not None:
            _Log.stream.close()
            _Log.stream = None
        config_module.override = None
    return code


if __name__ == "__main__":
    sys.exit(main())
