"""The servers' ASGI entries: what a process has set up once it can serve."""

import json
import os
import subprocess
import sys

import pytest

# In a process of its own: freezing the heap of the test run itself would keep its garbage.
PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "views_loaded": "parabench.dashboard.views" in sys.modules,
}}))
"""


def _started(module: str, tmp_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PARABENCH_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "parabench.settings",
        },
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["parabench.asgi", "parabench.uploads.asgi"])
def test_a_server_entry_freezes_its_start_up_heap_and_collects_less_often(module, tmp_path):
    started = _started(module, tmp_path)
    # Django and the apps are out of the collector's full passes (tens of thousands of objects).
    assert started["frozen"] > 10_000
    assert started["threshold"][0] == 10_000


def test_the_portal_loads_its_views_before_the_heap_is_frozen(tmp_path):
    assert _started("parabench.asgi", tmp_path)["views_loaded"]
