"""A small country of practices with real imports and stored statistics.

Zuid-Holland: practice A and B plus two more in A's network (a network of 4: too small), and two
practices without a network; Groningen: the practice elsewhere. National = 7 and Zuid-Holland = 6
have figures; A's network and "without network" (3) do not.
"""

import pytest

from tests.dashboard.factories import make_imports, recompute
from tests.factories import PracticeFactory


@pytest.fixture
def world(practice_a, practice_b, practice_elsewhere, network):
    imports = {
        "a": make_imports(practice_a, seed=1),
        "b": make_imports(practice_b, seed=2),
        "elsewhere": make_imports(practice_elsewhere, seed=3),
    }
    for n, seed in ((1, 4), (2, 5)):
        peer = PracticeFactory(network=network, name=f"Netwerkpraktijk {n}")
        imports[f"network{n}"] = make_imports(peer, seed=seed)
    for n, seed in ((1, 6), (2, 7)):
        loner = PracticeFactory(network=None, name=f"Losse praktijk {n}")
        imports[f"loner{n}"] = make_imports(loner, seed=seed)
    recompute()
    return imports


@pytest.fixture
def import_a(world):
    """Practice A's current-year import (Q1–Q2 2026)."""
    return world["a"][-1]
