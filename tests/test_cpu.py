"""``parabench.cpu``: on AMD's Zen 4 every process asks numpy for its AVX2 code (numpy's AVX-512
sort is several times slower there); elsewhere, and when the operator chose, numpy chooses."""

import subprocess
import sys
from pathlib import Path

import pytest

from parabench.cpu import AVX512_GROUPS, NUMPY_SETTING, prefer_avx2_sort, slow_avx512_sort

ROOT = Path(__file__).resolve().parent.parent


def _cpuinfo(vendor: str, family: int, flags: str) -> str:
    block = (
        f"processor\t: {{n}}\nvendor_id\t: {vendor}\ncpu family\t: {family}\n"
        f"model\t\t: 17\nflags\t\t: fpu sse2 avx avx2 {flags}\n"
    )
    return block.format(n=0) + "\n" + block.format(n=1)


ZEN4 = _cpuinfo("AuthenticAMD", 25, "avx512f avx512dq avx512bw avx512vl")
ZEN3 = _cpuinfo("AuthenticAMD", 25, "vaes")
ZEN5 = _cpuinfo("AuthenticAMD", 26, "avx512f avx512dq avx512bw avx512vl")
INTEL = _cpuinfo("GenuineIntel", 6, "avx512f avx512dq avx512bw avx512vl")


@pytest.mark.parametrize(
    ("cpuinfo", "slow"),
    [(ZEN4, True), (ZEN3, False), (ZEN5, False), (INTEL, False), ("", False)],
    ids=["zen4", "zen3 without avx-512", "zen5", "intel with avx-512", "nothing"],
)
def test_only_a_zen4_with_avx512_counts_as_slow_at_sorting(cpuinfo, slow):
    assert slow_avx512_sort(cpuinfo) is slow


def test_a_zen4_asks_numpy_for_its_avx2_code(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(ZEN4)
    environ = {}
    assert prefer_avx2_sort(environ, imported={}, path=path)
    assert environ == {NUMPY_SETTING: AVX512_GROUPS}


@pytest.mark.parametrize("chosen", ["", "AVX512F"], ids=["empty", "set"])
def test_the_operators_own_setting_stays_even_on_a_zen4(tmp_path, chosen):
    path = tmp_path / "cpuinfo"
    path.write_text(ZEN4)
    environ = {NUMPY_SETTING: chosen}
    assert not prefer_avx2_sort(environ, imported={}, path=path)
    assert environ == {NUMPY_SETTING: chosen}


def test_nothing_is_asked_once_numpy_is_imported_or_without_cpuinfo(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(ZEN4)
    environ = {}
    assert not prefer_avx2_sort(environ, imported={"numpy": object()}, path=path)
    assert not prefer_avx2_sort(environ, imported={}, path=tmp_path / "absent")
    path.write_text(INTEL)
    assert not prefer_avx2_sort(environ, imported={}, path=path)
    assert environ == {}


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="Linux's /proc/cpuinfo")
@pytest.mark.parametrize("module", ["parabench", "bench.bench_statistics"])
def test_the_project_and_its_benchmarks_ask_before_numpy_is_imported(module):
    """Importing the package (every process does, the benchmarks' baselines too) decides before
    numpy is loaded: on a Zen 4 numpy then runs without its AVX-512 code."""
    script = (
        f"import os, {module}, numpy\n"
        "from numpy._core._multiarray_umath import __cpu_features__\n"
        f"print(os.environ.get({NUMPY_SETTING!r}), __cpu_features__.get('X86_V4'))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "parabench.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    setting, avx512 = result.stdout.strip().rsplit(" ", 1)
    if slow_avx512_sort(Path("/proc/cpuinfo").read_text()):
        assert (setting, avx512) == (AVX512_GROUPS, "False")
    else:
        assert setting == "None"  # numpy's own choice
