"""Benchmark scripts; `make bench` runs them all through bench/run_all.py."""

# Before the scripts import numpy: the processes they measure take the same numpy code paths
# as ParaBench's own (parabench/cpu.py), baselines included.
import parabench  # noqa: F401
