"""The personas of the committed world (conftest's ``committed_world``), for a browser module.

A module that imports these reads the world built once for it: its ``network``, practices A and B
and the practice elsewhere are the world's, so ``user_a`` and the like belong to them. Imported
into the module (not a conftest) because the other dashboard modules make their personas per test.
"""

import pytest


@pytest.fixture
def network(committed_world, transactional_db):
    return committed_world["network"]


@pytest.fixture
def practice_a(committed_world, transactional_db):
    return committed_world["a"]


@pytest.fixture
def practice_b(committed_world, transactional_db):
    return committed_world["b"]


@pytest.fixture
def practice_elsewhere(committed_world, transactional_db):
    return committed_world["elsewhere"]
