"""A national demo dataset, filled through the real path.

Practices and networks are created as an operator would in the back office. Everything after that
is what happens in production: each practice's certificate is issued and downloaded through the
portal's own certificate service, the practice's records are generated, the export client builds
the exports, they are uploaded over mutual TLS to the running uploader and imported by the worker.
Nothing writes imports or statistics directly.
"""

import datetime as dt
import json
import multiprocessing
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parabench.accounts.models import User
from parabench.backoffice.demo_practice import PracticeJob, PracticeResult, run_practice
from parabench.benchmark.tasks import refresh_statistics
from parabench.certificates import services as certificate_services
from parabench.certificates.lookup import ca_paths
from parabench.practices.models import Network, Practice
from parabench.practices.provinces import Province
from parabench.uploads.models import Import
from parabench_format import last_complete_quarter_end
from parabench_format.models import FORMAT_1_0, FORMAT_1_1

# Share of practices per province, roughly by population; every province gets enough practices
# for a regional comparison group.
PROVINCE_WEIGHTS = {
    Province.ZUID_HOLLAND: 21,
    Province.NOORD_HOLLAND: 16,
    Province.NOORD_BRABANT: 14,
    Province.GELDERLAND: 12,
    Province.UTRECHT: 8,
    Province.OVERIJSSEL: 7,
    Province.LIMBURG: 6,
    Province.FRYSLAN: 4,
    Province.GRONINGEN: 3.5,
    Province.DRENTHE: 3,
    Province.FLEVOLAND: 2.5,
    Province.ZEELAND: 2.5,
}
# Per province its towns with the range of their real four-digit postcodes, so that postcode, town
# and province of a demo practice agree (and the postcode lookup finds the same province).
CITIES = {
    Province.GRONINGEN: [
        ("Groningen", 9711, 9747),
        ("Veendam", 9640, 9649),
        ("Delfzijl", 9930, 9939),
        ("Stadskanaal", 9500, 9509),
    ],
    Province.FRYSLAN: [
        ("Leeuwarden", 8911, 8941),
        ("Drachten", 9200, 9209),
        ("Sneek", 8600, 8609),
        ("Heerenveen", 8440, 8449),
    ],
    Province.DRENTHE: [
        ("Assen", 9400, 9409),
        ("Emmen", 7811, 7828),
        ("Hoogeveen", 7900, 7909),
        ("Meppel", 7940, 7944),
    ],
    Province.OVERIJSSEL: [
        ("Zwolle", 8011, 8043),
        ("Enschede", 7511, 7548),
        ("Deventer", 7411, 7439),
        ("Almelo", 7600, 7609),
        ("Hengelo", 7550, 7559),
    ],
    Province.FLEVOLAND: [
        ("Almere", 1311, 1363),
        ("Lelystad", 8211, 8245),
        ("Emmeloord", 8300, 8305),
    ],
    Province.GELDERLAND: [
        ("Arnhem", 6811, 6846),
        ("Nijmegen", 6511, 6546),
        ("Apeldoorn", 7311, 7339),
        ("Ede", 6710, 6718),
        ("Doetinchem", 7001, 7009),
        ("Tiel", 4001, 4007),
    ],
    Province.UTRECHT: [
        ("Utrecht", 3511, 3585),
        ("Amersfoort", 3811, 3829),
        ("Zeist", 3700, 3709),
        ("Nieuwegein", 3430, 3439),
        ("Veenendaal", 3900, 3909),
    ],
    Province.NOORD_HOLLAND: [
        ("Amsterdam", 1011, 1109),
        ("Haarlem", 2011, 2037),
        ("Alkmaar", 1811, 1827),
        ("Hilversum", 1211, 1223),
        ("Hoorn", 1620, 1628),
        ("Zaandam", 1500, 1509),
    ],
    Province.ZUID_HOLLAND: [
        ("Rotterdam", 3011, 3089),
        ("Den Haag", 2491, 2599),
        ("Leiden", 2311, 2334),
        ("Dordrecht", 3311, 3329),
        ("Gouda", 2800, 2809),
        ("Delft", 2611, 2629),
    ],
    Province.ZEELAND: [
        ("Middelburg", 4330, 4339),
        ("Vlissingen", 4380, 4389),
        ("Goes", 4460, 4465),
        ("Terneuzen", 4530, 4539),
    ],
    Province.NOORD_BRABANT: [
        ("Eindhoven", 5611, 5658),
        ("Tilburg", 5011, 5049),
        ("Breda", 4811, 4839),
        ("'s-Hertogenbosch", 5211, 5237),
        ("Helmond", 5701, 5709),
    ],
    Province.LIMBURG: [
        ("Maastricht", 6211, 6229),
        ("Venlo", 5911, 5928),
        ("Heerlen", 6411, 6422),
        ("Roermond", 6041, 6046),
        ("Sittard", 6131, 6137),
    ],
}
NAME_PARTS = ["Fysiotherapie", "Fysio", "Praktijk voor Fysiotherapie", "FysioPlus", "Beweegpunt"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianalaan"]
# (number, name, practices, province): each network lies in one province, as real networks do;
# one is below the minimum size.
NETWORKS = [
    (7, "Fysio Netwerk Groene Hart", 12, Province.ZUID_HOLLAND),
    (11, "FysioNet Brabant", 14, Province.NOORD_BRABANT),
    (21, "Samenwerkende Fysiotherapeuten Gelderland", 10, Province.GELDERLAND),
    (31, "Netwerk Fysiotherapie Noord", 8, Province.FRYSLAN),
    (41, "Fysio Utrecht Samen", 6, Province.UTRECHT),
    (51, "Kleine Kring Zeeland", 3, Province.ZEELAND),
]
DEMO_WITH_NETWORK = ("demo", "parabench-demo", "04123451")
DEMO_WITHOUT_NETWORK = ("demo-zonder", "parabench-demo", "04123452")
OPERATOR = ("beheer", "parabench-beheer")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("Beheerder (2FA bij 1e login)", *OPERATOR),
        DemoLogin("Praktijk in een netwerk", *DEMO_WITH_NETWORK[:2]),
        DemoLogin("Praktijk zonder netwerk", *DEMO_WITHOUT_NETWORK[:2]),
    ]


def marker_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "filled.json"


def is_filled() -> bool:
    return marker_path().exists()


def _postcode(rng: random.Random, first: int, last: int) -> str:
    letters = "ABCDEGHJKLMNPRSTVWXZ"
    return f"{rng.randint(first, last)} {rng.choice(letters)}{rng.choice(letters)}"


def _province_plan(size: int, rng: random.Random) -> list[Province]:
    """Every province at least once (the two demo practices first: Zuid-Holland and Utrecht),
    the rest by weight, so that each region becomes a real comparison group as size grows."""
    first = [Province.ZUID_HOLLAND, Province.UTRECHT]
    first += [p for p in PROVINCE_WEIGHTS if p not in first]
    provinces = list(PROVINCE_WEIGHTS)
    weights = list(PROVINCE_WEIGHTS.values())
    rest = rng.choices(provinces, weights=weights, k=max(0, size - len(first)))
    return (first + rest)[:size]


def ensure_operator() -> None:
    username, password = OPERATOR
    if not User.objects.filter(username=username).exists():
        User.objects.create_superuser(username, "beheer@parabench.localhost", password)


def create_practices(size: int, seed: int) -> list[Practice]:
    """Networks and practices as an operator would enter them; idempotent by AGB code."""
    rng = random.Random(seed)
    networks = {
        number: Network.objects.get_or_create(number=number, defaults={"name": name})[0]
        for number, name, _count, _province in NETWORKS
    }
    provinces = _province_plan(size, rng)
    practices: list[Practice] = []
    network_slots = []
    for number, _name, count, province in NETWORKS:
        network_slots += [(number, province)] * count
    for index, province in enumerate(provinces):
        agb = f"04{123451 + index:06d}"
        city, first, last = rng.choice(CITIES[province])
        practice, _ = Practice.objects.get_or_create(
            agb_code=agb,
            defaults={
                "name": f"{rng.choice(NAME_PARTS)} {city} {index + 1}",
                "debtor_number": str(100234 + index),
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                "postcode": _postcode(rng, first, last),
                "city": city,
                "province": province,
            },
        )
        practices.append(practice)
    # Networks: the demo practice joins the first; the other demo practice stays without one.
    free = [p for p in practices[2:]]
    assignments = {practices[0].pk: 7}
    for number, province in network_slots[1:]:
        candidates = [p for p in free if province is None or p.province == province]
        if not candidates:
            continue
        chosen = candidates[0]
        free.remove(chosen)
        assignments[chosen.pk] = number
    for practice in practices:
        number = assignments.get(practice.pk)
        network = networks[number] if number else None
        if practice.network_id != (network.pk if network else None):
            practice.network = network
            practice.save(update_fields=["network"])
    for username, password, agb in (DEMO_WITH_NETWORK, DEMO_WITHOUT_NETWORK):
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username,
                f"{username}@parabench.localhost",
                password,
                practice=Practice.objects.get(agb_code=agb),
            )
    return practices


def practice_certificate(practice: Practice, folder: Path) -> Path:
    """Issue and download a certificate through the portal's service, as a practice user would."""
    path = folder / f"ParaBench-{practice.agb_code}.pfx"
    if path.exists():
        return path
    actor = certificate_services.Actor(user=None, ip_address="127.0.0.1")
    certificate, _ = certificate_services.issue_certificate(practice, actor=actor)
    download = certificate_services.download_certificate(
        certificate.pk, practice=practice, actor=actor
    )
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(download.pfx)
    return path


def demo_years(today: dt.date) -> tuple[int, ...]:
    """Three whole years and the current year up to its last complete quarter (if any)."""
    current = today.year
    years = [current - 3, current - 2, current - 1]
    if last_complete_quarter_end(today).year == current:
        years.append(current)
    return tuple(years)


def pending_statistics() -> int:
    """Statistics refreshes the worker still has to run (queued or running)."""
    return DBTaskResult.objects.filter(
        task_path=refresh_statistics.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).count()


def wait_for_uploader(url: str, timeout: float = 90) -> None:
    """The uploader starts beside us; give it time to listen before the first upload."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((parts.hostname, parts.port or 443), timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def demo_format(index: int) -> str:
    """One practice in six runs older practice software that writes format 1.0 (no case mix, no
    outcome measures), so the demo shows both side by side; never the two demo logins."""
    return FORMAT_1_0 if index >= 2 and index % 6 == 5 else FORMAT_1_1


def fill(
    *,
    size: int,
    uploader_url: str,
    seed: int = 2026,
    today: dt.date | None = None,
    processes: int | None = None,
    patients_per_year: int | None = None,
    say: Callable[[str], None] = print,
) -> dict:
    today = today or dt.date.today()
    started = time.monotonic()
    ensure_operator()
    practices = create_practices(size, seed)
    wait_for_uploader(uploader_url)
    say(f"{len(practices)} praktijken in {Network.objects.count()} netwerken aangemaakt.")
    cert_folder = Path(settings.VAR_DIR) / "demo" / "certificates"
    server_ca_path = str(ca_paths()[0])
    jobs = []
    years = demo_years(today)
    rng = random.Random(seed)
    # A fill that was interrupted (Ctrl-C, a crash, the supervisor restarting it) continues where
    # it was: years already uploaded are not exported again, their certificates not re-issued.
    uploaded = set(
        Import.objects.exclude(status=Import.Status.REJECTED).values_list("practice_id", "year")
    )
    for index, practice in enumerate(practices):
        patients = patients_per_year or (
            900 if index < 2 else max(250, int(rng.lognormvariate(6.55, 0.45)))
        )
        done_years = tuple(year for year in years if (practice.pk, year) in uploaded)
        if len(done_years) == len(years):
            continue
        jobs.append(
            PracticeJob(
                agb_code=practice.agb_code,
                province=practice.province,
                # The two demo logins get a typical ParaBench participant (≈ 850 patients).
                patients_per_year=patients,
                seed=seed * 100_000 + index,
                pfx_path=str(practice_certificate(practice, cert_folder)),
                years=years,
                done_years=done_years,
                today=today,
                uploader_url=uploader_url,
                server_ca_path=server_ca_path,
                year_closed_until=today.year - 2,
                format_version=demo_format(index),
            )
        )
        if len(jobs) % 50 == 0:
            say(f"  certificaten: {len(jobs)}")
    say(f"Certificaten klaar voor {len(jobs)} praktijken met exports te versturen.")

    connections.close_all()  # no database connection may cross the fork
    sent = 0
    done = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(processes or os.cpu_count() or 2) as pool:
        for result in pool.imap_unordered(run_practice, jobs):
            assert isinstance(result, PracticeResult)
            done += 1
            sent += result.sent
            if done % 10 == 0 or done == len(jobs):
                say(f"  verstuurd: {done}/{len(jobs)} praktijken, {sent} exports")
    say("Wachten tot de werker alles heeft ingelezen…")
    while True:
        waiting = Import.objects.filter(
            status__in=[Import.Status.RECEIVED, Import.Status.IMPORTING]
        ).count()
        if waiting == 0:
            break
        say(f"  nog in te lezen: {waiting}")
        time.sleep(2)
    say("Wachten op de vergelijkingscijfers…")
    while pending_statistics():
        time.sleep(1)
    summary = {
        "practices": len(practices),
        "exports_sent": sent,
        "imported": Import.objects.filter(status=Import.Status.IMPORTED).count(),
        "rejected": Import.objects.filter(status=Import.Status.REJECTED).count(),
        "years": list(years),
        "seconds": round(time.monotonic() - started, 1),
        "filled_on": today.isoformat(),
    }
    marker_path().parent.mkdir(parents=True, exist_ok=True)
    marker_path().write_text(json.dumps(summary, indent=2))
    return summary
