"""Which of numpy's code paths for this processor ParaBench's processes take.

numpy picks its SIMD code when it is imported, by what the processor reports. On AMD's Zen 4
(family 25 with AVX-512) its AVX-512 sort is several times slower than its AVX2 sort: the sort
stores with ``vpcompress``, which Zen 4 runs in microcode (numpy/x86-simd-sort#6,
numpy/numpy#32690). Measured here (EPYC, Zen 4, numpy 2.4.6, best of 5): one million float64
sorted in 56 ms on the AVX-512 path, 10.2 ms on the AVX2 path; a national window's 163 columns
of 10,000 values 45 against 10 ms. Sorting was a third of an incremental statistics refresh
(docs/benchmarks-statistics.md), so on Zen 4 every ParaBench process asks numpy for its AVX2
paths (``NPY_DISABLE_CPU_FEATURES``) before numpy is first imported. Zen 5 (family 26) and
Intel's AVX-512 keep numpy's choice. The same figures either way: a sort puts the same values
in the same order whatever the path.
"""

import os
import sys

# numpy's AVX-512 groups of features (numpy 2): without them numpy takes its AVX2 code.
AVX512_GROUPS = "X86_V4 AVX512_ICL AVX512_SPR"
NUMPY_SETTING = "NPY_DISABLE_CPU_FEATURES"


def slow_avx512_sort(cpuinfo: str) -> bool:
    """Whether the first processor of this ``/proc/cpuinfo`` text is a Zen 4 with AVX-512."""
    fields = {}
    for line in cpuinfo.split("\n\n", 1)[0].splitlines():
        name, _sep, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return (
        fields.get("vendor_id") == "AuthenticAMD"
        and fields.get("cpu family") == "25"
        and "avx512f" in fields.get("flags", "").split()
    )


def prefer_avx2_sort(environ=os.environ, imported=sys.modules, path="/proc/cpuinfo") -> bool:
    """Ask numpy for its AVX2 code on a Zen 4 (see the module); whether it was asked.

    Left alone when the operator set ``NPY_DISABLE_CPU_FEATURES`` (even empty: numpy's own
    choice then), when numpy is already imported (too late to matter) and where there is no
    ``/proc/cpuinfo``."""
    if NUMPY_SETTING in environ or "numpy" in imported:
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            cpuinfo = file.read(16384)
    except OSError:
        return False
    if not slow_avx512_sort(cpuinfo):
        return False
    environ[NUMPY_SETTING] = AVX512_GROUPS
    return True
