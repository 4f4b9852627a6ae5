"""The attacker's mathematics: every served group figure as a linear equation, then solved.

Pure functions, no Django. What the attacker is *given* is deliberately more than the portal
tells (the worst case of docs/privacy.md): the exact membership and size of every group it sees,
and the rank order of the members for every KPI ("who is the largest practice of the province").
With ranks known, each served quantile is a known linear combination of the members' values —
type 7 under the old rules (one or two neighbours), Harrell–Davis under the new ones (all of them)
— and a served mean is the sum of the members over n. A figure served rounded is an equation
with an error of half its rounding step.

An unknown value is *determined* when it lies in the row space of the system: x_j = c·b with
Aᵀc = e_j, known to within Σ|c_i|·error_i. That is exact linear algebra, not a guess: a value
is counted only when the attacker itself can tell it is within 1 %.
"""

import functools
from dataclasses import dataclass

import numpy as np

from parabench.benchmark.stats import QUANTILES, hd_weights

# A value is keyed by (practice id, row id): a re-upload is a new value, a move is not.
Key = tuple[int, int]


@dataclass(frozen=True)
class Equation:
    coefficients: dict[Key, float]
    value: float
    error: float  # half-width of what was served (0 for a full-precision float)

    @functools.cached_property
    def identity(self) -> tuple:
        """The same figure seen twice gives equal identities. Once per equation: an equation
        is shared by every attack whose coalition saw it."""
        return tuple(sorted(self.coefficients.items())), self.value


@dataclass(frozen=True)
class Finding:
    key: Key
    estimate: float
    error: float


def type7_weights(n: int, q: float) -> np.ndarray:
    """The old rule's quantile as weights on the sorted values: one or two neighbours."""
    weights = np.zeros(n)
    virtual = (n - 1) * q
    below = int(np.floor(virtual))
    gamma = virtual - below
    weights[below] += 1 - gamma
    if gamma > 0:
        weights[below + 1] += gamma
    return weights


def equations(members: list[tuple[Key, float]], served: dict[str, float], errors, estimator):
    """The equations one served figure set gives, for members [(key, true value)] of a group.

    Ranks come from the true values (the attacker's side knowledge); ties change nothing,
    since tied members have the same value.
    """
    ordered = [key for key, _value in sorted(members, key=lambda m: (m[1], m[0]))]
    n = len(ordered)
    found = []
    for name, value in served.items():
        if name == "mean":
            weights = np.full(n, 1.0 / n)
        elif name in QUANTILES:
            q = QUANTILES[name]
            weights = hd_weights(n, q) if estimator == "hd" else type7_weights(n, q)
        else:
            continue
        coefficients = {key: float(w) for key, w in zip(ordered, weights, strict=True) if w}
        found.append(Equation(coefficients, float(value), float(errors.get(name, 0.0))))
    return found


def solve(system: list[Equation], known: dict[Key, float]) -> list[Finding]:
    """Every unknown the equations determine, with the error bound the attacker can prove."""
    unknown = sorted({k for eq in system for k in eq.coefficients if k not in known})
    if not unknown or not system:
        return []
    index = {key: i for i, key in enumerate(unknown)}
    a = np.zeros((len(system), len(unknown)))
    b = np.zeros(len(system))
    err = np.zeros(len(system))
    for row, eq in enumerate(system):
        b[row] = eq.value - sum(w * known[k] for k, w in eq.coefficients.items() if k in known)
        err[row] = eq.error
        for key, w in eq.coefficients.items():
            if key not in known:
                a[row, index[key]] = w
    pinv = np.linalg.pinv(a, rcond=1e-10)
    # All unknowns at once: x_j lies in the row space when row j of pinv·A is e_j; then
    # x_j = c·b with c = pinv[j], within |c|·err (+ the float error of |c|·|b|).
    determined = np.abs(pinv @ a - np.eye(len(unknown))).max(axis=1) <= 1e-7
    estimates = pinv @ b
    bounds = np.abs(pinv) @ (err + 1e-9 * np.abs(b))
    return [
        Finding(key, float(estimates[j]), float(bounds[j]))
        for key, j in index.items()
        if determined[j]
    ]
