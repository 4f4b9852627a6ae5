"""Comparison groups: national, region (province), network, and practices without a network.

Membership is read from the practice's current data at computation time, so moving a practice to
another network or province changes its groups at the next recompute (``recompute_statistics``).
A group is named by (kind, key): ("national", ""), ("region", "ZH"), ("network", "<network id>"),
("no_network", "").
"""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from parabench.benchmark.models import GroupKind
from parabench.practices.models import Practice
from parabench.practices.provinces import Province

# What a dashboard asks for ("network" means "without network" for a practice without one).
CHOICES = ("national", "region", "network")


@dataclass(frozen=True)
class Group:
    kind: str
    key: str

    @property
    def choice(self) -> str:
        return "network" if self.kind == GroupKind.NO_NETWORK else self.kind


@dataclass(frozen=True)
class Membership:
    """A practice's current groups."""

    province: str
    network_id: int | None

    def groups(self) -> list[Group]:
        found = [Group(GroupKind.NATIONAL, "")]
        if self.province:
            found.append(Group(GroupKind.REGION, self.province))
        if self.network_id is None:
            found.append(Group(GroupKind.NO_NETWORK, ""))
        else:
            found.append(Group(GroupKind.NETWORK, str(self.network_id)))
        return found

    def group(self, choice: str) -> Group | None:
        """The group a dashboard choice means for this practice; None for an unknown province."""
        for group in self.groups():
            if group.choice == choice:
                return group
        return None


def membership(practice: Practice) -> Membership:
    return Membership(practice.province or "", practice.network_id)


def memberships(practice_ids=None) -> dict[int, Membership]:
    """Current membership of many practices in one query."""
    rows = Practice.objects.all()
    if practice_ids is not None and len(practice_ids) <= 1000:
        # Beyond that, reading every practice is cheaper than a huge IN list.
        rows = rows.filter(pk__in=list(practice_ids))
    return {
        pk: Membership(province or "", network_id)
        for pk, province, network_id in rows.values_list("pk", "province", "network_id")
    }


def label(group: Group, practice: Practice) -> str:
    """The Dutch name of a group as the dashboard shows it."""
    if group.kind == GroupKind.NATIONAL:
        return _("Landelijk")
    if group.kind == GroupKind.REGION:
        return _("Regio %(province)s") % {"province": Province(group.key).label}
    if group.kind == GroupKind.NETWORK:
        return _("Netwerk %(name)s") % {"name": practice.network.name}
    return _("Praktijken zonder netwerk")


def split(members: list[Membership], only=None) -> dict[Group, np.ndarray]:
    """Row indexes of every group present among ``members`` (one entry per row).

    Vectorised (one stable sort per kind of group), because a full recompute splits 10,000
    practices into hundreds of groups for every year and window. ``only``: just these groups.
    """
    rows = len(members)
    found: dict[Group, np.ndarray] = {}
    if rows == 0:
        return found
    provinces = np.array([m.province for m in members])
    networks = np.array([-1 if m.network_id is None else m.network_id for m in members])
    if only is not None:
        # An incremental recompute wants three or four groups: one comparison each.
        for group in only:
            if group.kind == GroupKind.NATIONAL:
                indexes = np.arange(rows)
            elif group.kind == GroupKind.REGION:
                indexes = np.flatnonzero(provinces == group.key)
            elif group.kind == GroupKind.NO_NETWORK:
                indexes = np.flatnonzero(networks < 0)
            else:
                indexes = np.flatnonzero(networks == int(group.key))
            if indexes.size:
                found[group] = indexes
        return found
    wanted = (lambda group: True) if only is None else (lambda group: group in only)
    national = Group(GroupKind.NATIONAL, "")
    if wanted(national):
        found[national] = np.arange(rows)
    for keys, make in (
        (provinces, lambda key: Group(GroupKind.REGION, str(key)) if key else None),
        (
            networks,
            lambda key: (
                Group(GroupKind.NO_NETWORK, "") if key < 0 else Group(GroupKind.NETWORK, str(key))
            ),
        ),
    ):
        order = np.argsort(keys, kind="stable")
        values, starts = np.unique(keys[order], return_index=True)
        for key, indexes in zip(values, np.split(order, starts[1:]), strict=True):
            group = make(key)
            if group is not None and wanted(group):
                found[group] = indexes
    return found
