"""The practice side of the demo filler: what one practice's computer does, without Django.

Runs in a pool of worker processes. For one practice it makes synthetic records, lets the export
client build the exports for each year and uploads them over mutual TLS with the practice's own
certificate, exactly as ``parabench-client send`` would.
"""

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from parabench_client.aggregate import build_export
from parabench_client.records import load_records
from parabench_client.synth import generate_records
from parabench_client.transport import Uploader, load_pfx, tls_context
from parabench_format import NothingToExport
from parabench_format.models import FORMAT


@dataclass(frozen=True)
class PracticeJob:
    agb_code: str
    province: str
    patients_per_year: int
    seed: int
    pfx_path: str
    years: tuple[int, ...]
    today: dt.date
    uploader_url: str
    server_ca_path: str
    year_closed_until: int  # years up to and including this one are "afgesloten"
    done_years: tuple[int, ...] = ()  # uploaded by an earlier, interrupted fill
    format_version: str = FORMAT  # some demo practices run older software that writes 1.0


@dataclass(frozen=True)
class PracticeResult:
    agb_code: str
    sent: int
    skipped: int
    patients: int
    sessions: int


def run_practice(job: PracticeJob) -> PracticeResult:
    workdir = Path(tempfile.mkdtemp(prefix=f"parabench-demo-{job.agb_code}-"))
    try:
        totals = generate_records(
            workdir,
            seed=job.seed,
            years=range(job.years[0], job.years[-1] + 1),
            today=job.today,
            patients_per_year=job.patients_per_year,
            province=job.province,
        )
        records = load_records(workdir, strict=True)
        uploader = Uploader(
            job.uploader_url, tls_context(load_pfx(Path(job.pfx_path)), job.server_ca_path)
        )
        sent = skipped = 0
        for year in job.years:
            if year in job.done_years:
                continue
            try:
                export = build_export(
                    records,
                    year,
                    job.today,
                    agb_code=job.agb_code,
                    year_closed=year <= job.year_closed_until,
                    format_version=job.format_version,
                )
            except NothingToExport:
                skipped += 1
                continue
            uploader.post_export(export.model_dump_json().encode())
            sent += 1
        return PracticeResult(job.agb_code, sent, skipped, totals.patients, totals.sessions)
    finally:
        # The raw records hold (synthetic) personal data: like a practice, keep only aggregates.
        shutil.rmtree(workdir, ignore_errors=True)
