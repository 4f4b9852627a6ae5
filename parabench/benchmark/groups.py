"""Comparison groups: national, region (province), network, practices without a network, and
peer groups by kind — size class (nationally and within the province) and declared profile.

Membership is read from the practice's current data at computation time, so moving a practice to
another network or province changes its groups at the next recompute (``recompute_statistics``).
A group is named by (kind, key): ("national", ""), ("region", "ZH"), ("network", "<network id>"),
("no_network", ""), ("size", "klein"), ("region_size", "ZH:klein"), ("profile", "kinderen").

The size class of a practice is fixed per year by its patients in the year's first quarter
(``size_class``): the one window every export of a year carries, so the class is the same for
every window and quarter of that year and changes only when the practice re-sends its first
quarter. See docs/privacy.md ("Peer groups by kind") for why the bands are fixed numbers.
"""

from dataclasses import dataclass, replace

import numpy as np
from django.utils.translation import gettext as _

from parabench.benchmark.models import GroupKind
from parabench.practices.models import Practice, Profile
from parabench.practices.provinces import Province

# What a dashboard asks for ("network" means "without network" for a practice without one).
CHOICES = ("national", "region", "network", "size", "region_size", "profile")
# The groups by kind, and the wider groups each lies inside: published only when it differs
# from every one of them by at least MIN_GROUP_SIZE practices (``differs_enough``).
BY_KIND = (GroupKind.SIZE, GroupKind.REGION_SIZE, GroupKind.PROFILE)

# Size classes by distinct patients in the first quarter (window "Q1"), fixed numbers so that a
# class never moves because other practices uploaded. Derived from the national distribution:
# a ParaBench participant treats about 850 patients a year, of whom about 40 % in the first
# quarter; the bands cut at about 500 and 1,000 patients a year — roughly the national tertiles
# (docs/statistics.md, "Size classes").
SIZE_BANDS = (("klein", 0), ("middel", 200), ("groot", 400))
SIZE_WINDOW = "Q1"
SIZE_COLUMN = "patients"


def size_class(patients_q1: float | None) -> str:
    """The size class for a practice's first-quarter patients; "" when it has none. One rule for
    one practice and for many (``size_classes``)."""
    if patients_q1 is None:
        return ""
    return str(size_classes(np.array([patients_q1]))[0])


def size_classes(patients_q1: np.ndarray) -> np.ndarray:
    """``size_class`` of many first-quarter figures at once (NaN: ""). A recompute classes
    every practice of a year: one call per practice cost 0.05 s of a national refresh."""
    patients_q1 = np.asarray(patients_q1, dtype=np.float64)
    names = np.array(["", *(name for name, _low in SIZE_BANDS)])
    lows = np.array([low for _name, low in SIZE_BANDS], dtype=np.float64)
    at = np.searchsorted(lows, patients_q1, side="right")  # bands whose low is ≤ the figure
    return np.where(np.isnan(patients_q1), "", names[at])


def size_label(size: str) -> str:
    """Short: the bands themselves are explained under Uitleg and in docs/statistics.md."""
    labels = {"klein": _("klein"), "middel": _("middelgroot"), "groot": _("groot")}
    return labels[size]


@dataclass(frozen=True)
class Group:
    kind: str
    key: str

    @property
    def choice(self) -> str:
        return "network" if self.kind == GroupKind.NO_NETWORK else self.kind


def parents(group: Group) -> list[Group]:
    """The wider groups a group by kind lies inside (none for the geographic groups)."""
    if group.kind in (GroupKind.SIZE, GroupKind.PROFILE):
        return [Group(GroupKind.NATIONAL, "")]
    if group.kind == GroupKind.REGION_SIZE:
        province, _sep, size = group.key.partition(":")
        return [Group(GroupKind.REGION, province), Group(GroupKind.SIZE, size)]
    return []


@dataclass(frozen=True)
class Membership:
    """A practice's current groups. ``size``: its size class in the year at hand ("" unknown)."""

    province: str
    network_id: int | None
    profile: str = ""
    size: str = ""

    def groups(self) -> list[Group]:
        found = [Group(GroupKind.NATIONAL, "")]
        if self.province:
            found.append(Group(GroupKind.REGION, self.province))
        if self.network_id is None:
            found.append(Group(GroupKind.NO_NETWORK, ""))
        else:
            found.append(Group(GroupKind.NETWORK, str(self.network_id)))
        if self.size:
            found.append(Group(GroupKind.SIZE, self.size))
            if self.province:
                found.append(Group(GroupKind.REGION_SIZE, f"{self.province}:{self.size}"))
        if self.profile:
            found.append(Group(GroupKind.PROFILE, self.profile))
        return found

    def sized(self, size: str) -> "Membership":
        return replace(self, size=size)

    def group(self, choice: str) -> Group | None:
        """The group a dashboard choice means for this practice; None for an unknown province."""
        for group in self.groups():
            if group.choice == choice:
                return group
        return None


def membership(practice: Practice, size: str = "") -> Membership:
    return Membership(practice.province or "", practice.network_id, practice.profile or "", size)


def memberships(practice_ids=None) -> dict[int, Membership]:
    """Current membership of many practices in one query."""
    rows = Practice.objects.all()
    if practice_ids is not None and len(practice_ids) <= 1000:
        # Beyond that, reading every practice is cheaper than a huge IN list.
        rows = rows.filter(pk__in=list(practice_ids))
    return {
        pk: Membership(province or "", network_id, profile or "")
        for pk, province, network_id, profile in rows.values_list(
            "pk", "province", "network_id", "profile"
        )
    }


def network_name(group: Group | None, practice: Practice) -> str | None:
    """The practice's network's name when ``group`` is its network (read only then: without the
    network loaded with the practice it costs a query), for ``label`` and ``choice_label``."""
    if group is None or group.kind != GroupKind.NETWORK:
        return None
    return practice.network.name


def label(group: Group, network: str | None) -> str:
    """The Dutch name of a group as the dashboard shows it; ``network``: the name of the
    practice's network, for its network group."""
    if group.kind == GroupKind.NATIONAL:
        return _("Landelijk")
    if group.kind == GroupKind.REGION:
        return _("Regio %(province)s") % {"province": Province(group.key).label}
    if group.kind == GroupKind.NETWORK:
        return _("Netwerk %(name)s") % {"name": network}
    if group.kind == GroupKind.SIZE:
        return _("Landelijk · zelfde grootte (%(size)s)") % {"size": size_label(group.key)}
    if group.kind == GroupKind.REGION_SIZE:
        province, _sep, size = group.key.partition(":")
        return _("Regio %(province)s · zelfde grootte (%(size)s)") % {
            "province": Province(province).label,
            "size": size_label(size),
        }
    if group.kind == GroupKind.PROFILE:
        return _("Landelijk · zelfde profiel (%(profile)s)") % {"profile": Profile(group.key).label}
    return _("Praktijken zonder netwerk")


def row_keys(members: list[Membership]) -> dict[str, np.ndarray]:
    """Per kind of group, each row's key ("" = in no group of that kind).

    Built per distinct membership (a few hundred among 10,000 practices) and spread over the
    rows by index: building five lists of 10,000 strings per window cost 0.4 s of a national
    incremental refresh (measured, 5 windows)."""
    distinct: dict[Membership, int] = {}
    rows = np.fromiter(
        (distinct.setdefault(m, len(distinct)) for m in members), dtype=np.intp, count=len(members)
    )
    kinds = list(distinct)
    keys = {
        GroupKind.REGION: [m.province for m in kinds],
        GroupKind.NETWORK: ["" if m.network_id is None else str(m.network_id) for m in kinds],
        GroupKind.SIZE: [m.size for m in kinds],
        GroupKind.REGION_SIZE: [
            f"{m.province}:{m.size}" if m.province and m.size else "" for m in kinds
        ],
        GroupKind.PROFILE: [m.profile for m in kinds],
    }
    return {kind: np.array(column, dtype=str)[rows] for kind, column in keys.items()}


def choice_label(group: Group | None, choice: str, network: str | None) -> str:
    """The label of a dashboard choice: the group's name, or why the practice has none."""
    if group is not None:
        return label(group, network)
    unknown = {
        "region": _("Regio onbekend"),
        "size": _("Landelijk · zelfde grootte (nog geen eerste kwartaal)"),
        "region_size": _("Regio · zelfde grootte (onbekend)"),
        "profile": _("Landelijk · zelfde profiel (niet opgegeven in Profiel)"),
    }
    return unknown[choice]


def size_choice_label(choice: str, province: str) -> str:
    """The selector's label of a size choice, without the class (which needs the import's
    figures: the page of that group names it)."""
    if choice == "size":
        return _("Landelijk · zelfde grootte")
    if not province:
        return _("Regio · zelfde grootte (onbekend)")
    return _("Regio %(province)s · zelfde grootte") % {"province": Province(province).label}


def split(keys: dict[str, np.ndarray], only=None) -> dict[Group, np.ndarray]:
    """Row indexes of every group present among the rows whose keys are ``keys``
    (``row_keys``: per kind of group, one key per row).

    Vectorised (one stable sort per kind of group), because a full recompute splits 10,000
    practices into hundreds of groups for every year and window. ``only``: just these groups.
    """
    rows = len(keys[GroupKind.REGION])
    found: dict[Group, np.ndarray] = {}
    if rows == 0:
        return found
    if only is not None:
        # An incremental recompute wants a few dozen groups: one comparison each.
        for group in only:
            if group.kind == GroupKind.NATIONAL:
                indexes = np.arange(rows)
            elif group.kind == GroupKind.NO_NETWORK:
                indexes = np.flatnonzero(keys[GroupKind.NETWORK] == "")
            else:
                indexes = np.flatnonzero(keys[group.kind] == group.key)
            if indexes.size:
                found[group] = indexes
        return found
    found[Group(GroupKind.NATIONAL, "")] = np.arange(rows)
    for kind, column in keys.items():
        order = np.argsort(column, kind="stable")
        values, starts = np.unique(column[order], return_index=True)
        for key, indexes in zip(values, np.split(order, starts[1:]), strict=True):
            key = str(key)
            if kind == GroupKind.NETWORK and not key:
                found[Group(GroupKind.NO_NETWORK, "")] = indexes
            elif key:
                found[Group(kind, key)] = indexes
    return found
