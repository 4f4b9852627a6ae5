"""Consent of member practices: the only way a coordinator sees a practice's own figures.

What holds is the practice's newest decision for its *current* network: consent given to one
network does not follow the practice to another, and withdrawing takes effect at the next
request (nothing is cached).
"""

from parabench.coordination.models import Consent


def current(practice) -> Consent | None:
    """The newest decision of the practice for its current network (None: never decided)."""
    if practice.network_id is None:
        return None
    return Consent.objects.filter(practice=practice, network_id=practice.network_id).first()


def has_consented(practice) -> bool:
    decision = current(practice)
    return decision is not None and decision.given


def decide(practice, user, given: bool) -> Consent:
    """Record a decision of the practice (for its current network)."""
    return Consent.objects.create(
        practice=practice, network_id=practice.network_id, given=given, by=user
    )


def consenting(network) -> set[int]:
    """Ids of the network's current members whose newest decision for it is consent."""
    newest: dict[int, bool] = {}
    decisions = Consent.objects.filter(network=network, practice__network=network).values_list(
        "practice_id", "given"
    )
    for practice_id, given in decisions:  # newest first (Meta.ordering)
        newest.setdefault(practice_id, given)
    return {practice_id for practice_id, given in newest.items() if given}


def history(practice):
    """The practice's decisions for its current network, newest first: shown in Profiel."""
    if practice.network_id is None:
        return Consent.objects.none()
    return Consent.objects.filter(practice=practice, network_id=practice.network_id).select_related(
        "by"
    )
