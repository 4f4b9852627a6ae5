"""``Import.window_sessions``: what a later export of the same year is compared with, so the
comparison no longer reads the replaced export's body (``plausibility.previous_exports``).

The imported rows get theirs from their stored body, as the import writes it for new ones
(``plausibility.window_sessions``): per window its first day, last day and sessions. A body that
is gone or does not read leaves NULL, and the comparison then tries the body as before — which
finds nothing either, so no row compares differently than it did. It reads every imported body
once (about a millisecond each: some minutes for a national history of several hundred
thousand); a database without bodies, such as the benchmarks' filled world, takes seconds.
"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import migrations, models


def _day(text: str) -> str:
    return date.fromisoformat(text).isoformat()


def _window_sessions(body: bytes) -> list[list] | None:
    try:
        windows = json.loads(body)["windows"]
        return [
            [_day(w["begin"]), _day(w["end"]), int(w["sessions"]["total"])] for w in windows
        ]
    except (ValueError, TypeError, KeyError):
        return None


def fill_window_sessions(apps, schema_editor):
    Import = apps.get_model("uploads", "Import")
    root = Path(settings.UPLOAD_STORAGE_DIR)
    imported = Import.objects.filter(status="imported", window_sessions__isnull=True)
    for pk, body_path in imported.values_list("pk", "body_path").iterator(chunk_size=1000):
        try:
            found = _window_sessions((root / body_path).read_bytes())
        except OSError:
            continue
        if found is not None:
            Import.objects.filter(pk=pk).update(window_sessions=found)


class Migration(migrations.Migration):
    dependencies = [
        ("uploads", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="import",
            name="window_sessions",
            field=models.JSONField(blank=True, null=True, verbose_name="zittingen per venster"),
        ),
        migrations.RunPython(fill_window_sessions, migrations.RunPython.noop),
    ]
