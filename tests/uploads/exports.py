"""Valid exports for uploader tests, made by the export client's own aggregation code.

Records are generated here (a few patients, one episode each, a handful of sessions) and turned
into a parabench-mi/1 export by ``parabench_client.aggregate.build_export``, so every consistency
rule of the format holds without this file knowing them.
"""

import gzip
import json
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from parabench_client.aggregate import build_export
from parabench_client.records import (
    Episode,
    Patient,
    Records,
    RecordsReport,
    Session,
    Therapist,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONCERNS = ["achmea", "vgz", "cz", "menzis", "dsw"]


def make_records(
    year: int,
    *,
    patients: int = 12,
    sessions_per_episode: int = 6,
    tariff_cents: int = 3700,
    therapists: int = 2,
    seed: int = 0,
) -> Records:
    rng = random.Random(seed)
    patient_rows, episodes, sessions = {}, {}, []
    for n in range(patients):
        pid = f"p{n}"
        concern = CONCERNS[n % len(CONCERNS)]
        patient_rows[pid] = Patient(
            patient_id=pid,
            gender="female" if n % 5 < 3 else "male",
            birth_date=date(1950 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            insurer_uzovi="3311",
            concern=concern,
        )
        start = date(year, 1, 2) + timedelta(days=rng.randrange(40))
        eid = f"e{n}"
        spacing = max(1, min(7, 280 // sessions_per_episode))
        end = start + timedelta(days=spacing * (sessions_per_episode - 1))
        episodes[eid] = Episode(
            episode_id=eid,
            patient_id=pid,
            registration_date=start - timedelta(days=2),
            start_date=start,
            end_date=end,
            dcsph_group="spine",
            chronic=n % 7 == 0,
            access_route="direct" if n % 3 else "gp",
            end_reason="regular",
            goals_achieved=True,
            outcome_measured=n % 2 == 0,
        )
        for k in range(sessions_per_episode):
            sessions.append(
                Session(
                    session_id=f"s{n}-{k}",
                    episode_id=eid,
                    date=start + timedelta(days=spacing * k),
                    session_type="regular",
                    payer="basic",
                    amount_cents=tariff_cents,
                    no_show=False,
                )
            )
    staff = [
        Therapist(therapist_id=f"t{i}", fte_hundredths=80, start_date=None, end_date=None)
        for i in range(therapists)
    ]
    return Records(patient_rows, episodes, sessions, staff, RecordsReport())


def make_export(
    agb_code: str,
    *,
    year: int | None = None,
    today: date | None = None,
    year_closed: bool = False,
    **kwargs,
) -> dict:
    """A valid export document (parsed JSON) of ``year`` as made on ``today``: at 09:00 that day,
    or now when that is today and nine o'clock is still to come (the uploader refuses an export
    made later than it arrived: between midnight and nine in Amsterdam every upload of these
    tests was refused). A ``today`` in the future is the test's own choice and stays."""
    now = datetime.now(AMSTERDAM).replace(microsecond=0)
    today = today or now.date()
    year = year if year is not None else today.year - 1
    exported_at = datetime.combine(today, time(9, 0), tzinfo=AMSTERDAM)
    if today == now.date():
        exported_at = min(exported_at, now)
    export = build_export(
        make_records(year, **kwargs),
        year,
        today,
        year_closed=year_closed,
        agb_code=agb_code,
        exported_at=exported_at,
    )
    return export.model_dump(mode="json")


def as_format_1_0(document: dict) -> dict:
    """The same export as a format 1.0 document: no case-mix cells, no outcome measures."""
    document = {**document, "format": "parabench-mi/1"}
    document["windows"] = [
        {k: v for k, v in window.items() if k not in ("case_mix", "outcomes")}
        for window in document["windows"]
    ]
    return document


def export_bytes(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)
