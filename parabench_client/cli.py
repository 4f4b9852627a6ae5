"""``parabench-client``: configure, export, send, status and synth.

The command line only orchestrates: reading records and aggregating them (``records``,
``aggregate``), the format (``parabench_format``), certificates (``certstore``), HTTPS
(``transport``) and the generator (``synth``) are plain modules. Every failure ends in one of
the documented exit codes (docs/export-client.md) with a Dutch message on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from parabench_client import certrequest, certstore, synth
from parabench_client import config as config_module
from parabench_client.aggregate import build_export
from parabench_client.messages import MESSAGES, language, t
from parabench_client.progress import Bar
from parabench_client.records import RecordProblem, RecordsError, load_records
from parabench_client.transport import (
    CertificateProblem,
    ClientCertificate,
    ServerRefused,
    TlsRefused,
    Unavailable,
    Uploader,
    tls_context,
)
from parabench_format import FutureYear, NothingToExport, validate_export

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_CONFIGURED = 3
EXIT_BAD_RECORDS = 4
EXIT_NOTHING_TO_EXPORT = 5
EXIT_CERTIFICATE = 6
EXIT_REFUSED = 7
EXIT_UNAVAILABLE = 8

MAX_PROBLEMS_SHOWN = 50
SOFTWARE_NAME = "parabench-client"


class Failure(Exception):
    """Stop the command: ``text`` goes to stderr, ``exit_code`` to the shell."""

    def __init__(self, exit_code: int, text: str):
        super().__init__(text)
        self.exit_code = exit_code
        self.text = text


@dataclass
class Prepared:
    """One export ready to write or send: its year, the model and its JSON bytes."""

    year: int
    export: object
    body: bytes


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("bad_date", value=value)) from exc


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
    path = config_module.config_path()
    if args.show:
        config = _configured()
        empty = t("empty")
        _out(
            t(
                "configure.show",
                path=path,
                type=config.service.type,
                name=config.service.name,
                url=config.service.url,
                username=config.service.username or empty,
                access_code=config.service.access_code or empty,
                agb=config.agb_code or empty,
                cert_dir=config.cert_dir or empty,
                cert_file=config.cert_file or empty,
                chosen=config.chosen_cert or empty,
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
            config.chosen_cert = previous.chosen_cert
    # The online service of the practice software: always this type and name, no user/code.
    config.service.type = config_module.SERVICE_TYPE
    config.service.name = config_module.SERVICE_NAME
    config.service.username = ""
    config.service.access_code = ""
    if args.agb is not None:
        config.agb_code = args.agb.strip()
    for attribute, value, must_be in (
        ("cert_dir", args.cert_dir, "dir"),
        ("cert_file", args.cert, "file"),
        ("server_ca", args.server_ca, "file"),
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
    saved = config_module.save(config, path)
    _out(t("configure.saved", path=saved))
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
    """The practice records; in strict mode any bad line stops the command with its location."""
    if not folder.is_dir():
        raise Failure(EXIT_USAGE, t("records.missing", path=folder))
    try:
        records = load_records(folder, strict=not lenient)
    except RecordsError as error:
        raise Failure(EXIT_BAD_RECORDS, _problems_text(error.problems, strict=True)) from error
    if records.problems:
        _err(_problems_text(records.problems, strict=False))
    return records


def _problems_text(problems: list[RecordProblem], strict: bool) -> str:
    """Errors first, then warnings, each with file and line; what happens next at the end."""
    errors = [p for p in problems if p.severity == "error"]
    lines = [t("records.problems", errors=len(errors), warnings=len(problems) - len(errors))]
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        key = "records.problem" if problem.severity == "error" else "records.warning"
        lines.append(t(key, file=problem.file, line=problem.line, message=_localised(problem)))
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(t("records.more", count=len(problems) - MAX_PROBLEMS_SHOWN))
    if strict:
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


def _software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("parabench")
    except PackageNotFoundError:
        return "0"


def _prepare(args, config, today: dt.date) -> tuple[list[Prepared], list[str]]:
    """Build the export of every requested year; refusals (future, nothing yet) come back apart."""
    agb = _agb(args, config)
    records = _load(Path(args.records), args.lenient)
    prepared, refused = [], []
    for year in sorted(set(args.years)):
        try:
            export = build_export(
                records,
                year,
                today,
                agb_code=agb,
                year_closed=args.year_closed,
                software_name=SOFTWARE_NAME,
                software_version=_software_version(),
            )
        except (FutureYear, NothingToExport) as error:
            refused.append(error.message_en if _english() else error.message)
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
        _out(
            t(
                "cert.option",
                number=number,
                subject=certificate.subject,
                until=_nl_date(certificate.not_after.date()),
                name=certificate.path.name,
            )
        )
    try:
        answer = input(t("cert.prompt")).strip()
    except EOFError:
        return None
    if not answer.isdigit():
        return None
    _out(t("cert.remembered"))
    return int(answer) - 1


def _certificate(args, config, renew: bool = True) -> ClientCertificate:
    try:
        certificate = certstore.choose(
            config,
            explicit=getattr(args, "cert", None),
            password=getattr(args, "password", None),
            ask=_ask_terminal,
        )
    except CertificateProblem as problem:
        raise Failure(
            EXIT_CERTIFICATE,
            t(f"cert.{problem.code}", path=problem.path, detail=problem.detail),
        ) from problem
    _out(
        t(
            "cert.using",
            subject=certificate.subject,
            until=_nl_date(certificate.not_after.date()),
        )
    )
    if renew:  # warn from 30 days before the end and renew (certrequest.py, issue 20)
        certificate = certrequest.check_expiry(
            config, certificate, password=getattr(args, "password", None), out=_out, err=_err
        )
    return certificate


def _uploader(config, certificate: ClientCertificate | None) -> Uploader:
    context = tls_context(certificate, config.server_ca or None)

    def on_retry(attempt: int, delay: float, reason: str) -> None:
        _err(t("send.retry", reason=reason, delay=f"{delay:g}"))

    return Uploader(config.service.url, context, on_retry=on_retry)


def _talk(config, action):
    """Run one exchange with the uploader and turn every failure into its exit code."""
    try:
        return action()
    except ServerRefused as refused:
        raise Failure(EXIT_REFUSED, _refusal_text(refused)) from refused
    except TlsRefused as tls:
        if tls.server_untrusted:
            text = t("send.server_untrusted", url=config.service.url, reason=tls.reason)
        else:
            text = t("send.tls_refused", reason=_tls_reason(tls.reason))
        raise Failure(EXIT_CERTIFICATE, text) from tls
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


def _tls_reason(reason: str) -> str:
    """A readable name for the TLS alert the server sent (or for a silently closed handshake)."""
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
            return t(f"send.tls_reason.{key}")
    return reason


def _refusal_text(refused: ServerRefused) -> str:
    error = refused.error
    message = _localised(error)
    if not message:
        return t("send.refused_plain", status=refused.status)
    lines = [t("send.refused", status=refused.status, code=refused.code, message=message)]
    problems = error.get("problems") or []
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        if isinstance(problem, dict):
            lines.append(t("problem", path=problem.get("path", "$"), message=_localised(problem)))
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


def _read_export_file(path: Path) -> Prepared:
    try:
        body = path.read_bytes()
    except OSError as error:
        raise Failure(
            EXIT_USAGE, t("export.file_unreadable", path=path, detail=error.strerror)
        ) from error
    report = validate_export(body)
    if not report.ok or report.export is None:
        lines = [t("export.file_invalid", path=path)]
        lines += [
            t("problem", path=p.path, message=p.message_en if _english() else p.message)
            for p in report.problems[:MAX_PROBLEMS_SHOWN]
        ]
        raise Failure(EXIT_BAD_RECORDS, "\n".join(lines))
    return Prepared(report.export.period.begin.year, report.export, body)


def cmd_send(args) -> int:
    config = _configured()
    today = args.today or dt.date.today()
    if args.file:
        prepared, refused = [_read_export_file(Path(args.file))], []
    elif args.records and args.years:
        prepared, refused = _prepare(args, config, today)
    else:
        raise Failure(EXIT_USAGE, t("send.needs_input"))
    for message in refused:
        _err(message)
    if not prepared:
        return EXIT_NOTHING_TO_EXPORT
    certificate = _certificate(args, config)
    uploader = _uploader(config, certificate)
    for item in prepared:
        if not args.file:
            _note_current_year(item, today)
        _out(_summary(item))
        bar = Bar(t("send.progress"))
        answer = _talk(config, lambda item=item, bar=bar: uploader.post_export(item.body, bar))
        number = answer.get("import_number")
        _out(t("send.duplicate" if answer.get("duplicate") else "send.accepted", number=number))
        if args.wait:
            status = _wait(config, uploader, answer.get("status_url") or number, args.wait)
            _print_status(status)
            if status.get("status") == "rejected":
                return EXIT_REFUSED
            if status.get("status") != "imported":
                _out(t("status.still_busy", number=number))
        else:
            _out(t("send.status_hint", number=number))
    return EXIT_NOTHING_TO_EXPORT if refused else EXIT_OK


def _wait(config, uploader: Uploader, target, seconds: float) -> dict:
    """Poll the status until the import is done or rejected, at most ``seconds`` long."""
    _out(t("status.waiting"))
    deadline = time.monotonic() + seconds
    while True:
        status = _talk(config, lambda: uploader.import_status(target))
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
    certificate = _certificate(args, config)
    uploader = _uploader(config, certificate)
    if args.wait:
        status = _wait(config, uploader, args.number, args.wait)
    else:
        status = _talk(config, lambda: uploader.import_status(args.number))
    _print_status(status)
    return EXIT_REFUSED if status.get("status") == "rejected" else EXIT_OK


# --- synthetic records ---------------------------------------------------------------------------


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parabench-client",
        description="Exporteert managementinformatie (alleen tellingen, geen patiëntgegevens) "
        "uit praktijkgegevens en verstuurt die naar ParaBench.",
        epilog="Exitcodes: 0 gelukt, 2 verkeerd gebruik, 3 niet ingesteld, 4 foute gegevens, "
        "5 niets te exporteren, 6 certificaatprobleem, 7 geweigerd door ParaBench, "
        "8 ParaBench niet bereikbaar.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")

    configure = commands.add_parser("configure", help="de online dienst ParaBench instellen")
    configure.add_argument("--url", help="https://<server>/ParabenchUploader/services")
    configure.add_argument("--agb", help="AGB-code van de praktijk (8 cijfers)")
    configure.add_argument("--cert-dir", help="map met certificaten (.pfx)")
    configure.add_argument("--cert", help="vast certificaat (.pfx) in plaats van een map")
    configure.add_argument("--server-ca", help="CA van een eigen of testserver (PEM)")
    configure.add_argument("--show", action="store_true", help="de instellingen tonen")
    configure.set_defaults(handler=cmd_configure)

    def add_records(sub, required: bool) -> None:
        sub.add_argument("--records", required=required, help="map met de CSV-bestanden")
        sub.add_argument(
            "--year",
            dest="years",
            type=int,
            action="append",
            required=required,
            help="kalenderjaar (herhaal voor meerdere jaren)",
        )
        sub.add_argument("--agb", help="AGB-code van de praktijk (anders uit de instellingen)")
        strictness = sub.add_mutually_exclusive_group()
        strictness.add_argument(
            "--strict",
            dest="lenient",
            action="store_false",
            help="stoppen bij foute regels (standaard)",
        )
        strictness.add_argument(
            "--lenient", action="store_true", help="exporteren zonder de foute regels"
        )
        sub.add_argument(
            "--year-closed", action="store_true", help="het boekjaar is afgesloten in de software"
        )
        sub.add_argument("--today", type=_date, help=argparse.SUPPRESS)
        sub.set_defaults(lenient=False)

    export = commands.add_parser("export", help="export per jaar naar een JSON-bestand")
    add_records(export, required=True)
    export.add_argument("--out", default=".", help="map voor de exportbestanden (standaard: hier)")
    export.set_defaults(handler=cmd_export)

    def add_certificate(sub) -> None:
        sub.add_argument("--cert", help="certificaat (.pfx); anders automatisch uit de map")
        sub.add_argument("--password", help="wachtwoord van het certificaat (standaard leeg)")

    send = commands.add_parser("send", help="exporteren en naar ParaBench versturen")
    add_records(send, required=False)
    send.add_argument("--file", help="een eerder geschreven exportbestand versturen")
    add_certificate(send)
    send.add_argument(
        "--wait",
        type=float,
        nargs="?",
        const=120.0,
        default=0.0,
        metavar="SECONDEN",
        help="wachten tot de import klaar is (standaard 120 s)",
    )
    send.set_defaults(handler=cmd_send)

    status = commands.add_parser("status", help="de stand van een import bekijken")
    status.add_argument("number", type=int, metavar="importnummer")
    add_certificate(status)
    status.add_argument("--wait", type=float, nargs="?", const=120.0, default=0.0)
    status.set_defaults(handler=cmd_status)

    generator = commands.add_parser("synth", help="synthetische praktijkgegevens maken (test/demo)")
    generator.add_argument("--out", required=True, help="map voor de CSV-bestanden")
    generator.add_argument("--year-from", type=int, required=True)
    generator.add_argument("--year-to", type=int, required=True)
    generator.add_argument("--seed", type=int, default=1)
    size = generator.add_mutually_exclusive_group()
    size.add_argument("--size", choices=sorted(synth.SIZES), help="praktijkgrootte")
    size.add_argument("--patients", type=int, help="patiënten per jaar")
    generator.add_argument("--province", help="provinciecode, bv. GR, ZH, NB")
    generator.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    generator.set_defaults(handler=cmd_synth)
    certrequest.add_commands(commands)  # certificaat aanvragen | vernieuwen (issue 20)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.handler(args)
    except Failure as failure:
        _err(failure.text)
        return failure.exit_code
    except KeyboardInterrupt:
        _err(t("interrupted"))
        return 130


if __name__ == "__main__":
    sys.exit(main())
