"""The ParaBench portal, its workers and their apps."""

from parabench.cpu import prefer_avx2_sort

# Before any module of the project imports numpy (parabench/cpu.py says why).
prefer_avx2_sort()
