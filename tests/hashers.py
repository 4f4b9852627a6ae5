"""Argon2 at the lowest cost, for tests only (tests/conftest.py, ``quick_argon2``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """The same algorithm, library and encoded form as production's hasher, at the smallest
    cost Argon2 allows. Production's (Django's defaults: 100 MB, 2 passes, 8 lanes) took about
    0.2 s of CPU per login or new password; the SQLite half alone made 103 of them (21.8 s
    CPU, 29 November 2026). A hash records its own cost, so a process with production's
    settings (the portal a test starts) verifies these hashes, and upgrades one when its user
    logs in, as it upgrades any older hash."""

    time_cost = 1
    memory_cost = 8  # KiB: Argon2's minimum for one lane
    parallelism = 1
