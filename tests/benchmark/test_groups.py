"""Peer groups by kind: size classes, profiles, their wider groups and when they are published."""

import numpy as np
import pytest

from parabench.benchmark.groups import (
    Group,
    Membership,
    parents,
    row_keys,
    size_class,
    size_classes,
    split,
)
from parabench.benchmark.models import GroupKind, GroupStatistics
from parabench.benchmark.recompute import recompute_all
from tests.benchmark.factories import make_import
from tests.benchmark.test_recompute import assert_a_full_recompute_changes_nothing
from tests.factories import PracticeFactory

SMALL, MIDDLE, LARGE = 1, 3, 5  # factory sizes: 100, 300 and 500 patients in the first quarter


def test_size_classes_are_fixed_bands_of_first_quarter_patients():
    assert [size_class(v) for v in (0, 199, 200, 399, 400, 5000)] == [
        "klein",
        "klein",
        "middel",
        "middel",
        "groot",
        "groot",
    ]
    assert size_class(None) == size_class(float("nan")) == ""


def test_the_size_classes_of_many_figures_at_once_are_each_figure_s_class():
    figures = [-1, 0, 0.5, 199, 199.99, 200, 399, 400, 400.01, 5000, float("inf"), float("nan")]
    assert size_classes(np.array(figures)).tolist() == [size_class(v) for v in figures]


def test_a_practice_is_in_its_size_class_nationally_and_in_its_province_and_in_its_profile():
    member = Membership("ZH", None, "kinderen", "klein")
    assert set(member.groups()) == {
        Group(GroupKind.NATIONAL, ""),
        Group(GroupKind.REGION, "ZH"),
        Group(GroupKind.NO_NETWORK, ""),
        Group(GroupKind.SIZE, "klein"),
        Group(GroupKind.REGION_SIZE, "ZH:klein"),
        Group(GroupKind.PROFILE, "kinderen"),
    }
    # Without a declared profile or a first quarter: no group of that kind.
    assert {g.kind for g in Membership("ZH", 3).groups()} == {"national", "region", "network"}


def test_a_group_by_kind_names_the_wider_groups_it_lies_in():
    assert parents(Group(GroupKind.REGION_SIZE, "ZH:groot")) == [
        Group(GroupKind.REGION, "ZH"),
        Group(GroupKind.SIZE, "groot"),
    ]
    assert parents(Group(GroupKind.PROFILE, "bekken")) == [Group(GroupKind.NATIONAL, "")]
    assert parents(Group(GroupKind.REGION, "ZH")) == []


def test_split_finds_the_same_groups_whole_and_one_by_one():
    members = [
        Membership("ZH", None, "kinderen", "klein"),
        Membership("ZH", 1, "", "groot"),
        Membership("UT", 1, "kinderen", "klein"),
        Membership("", None, "manueel", ""),
    ]
    keys = row_keys(members)
    whole = split(keys)
    assert whole[Group(GroupKind.SIZE, "klein")].tolist() == [0, 2]
    assert whole[Group(GroupKind.REGION_SIZE, "ZH:klein")].tolist() == [0]
    assert whole[Group(GroupKind.PROFILE, "kinderen")].tolist() == [0, 2]
    one_by_one = split(keys, only=set(whole))
    assert {g: i.tolist() for g, i in one_by_one.items()} == {
        g: np.sort(i).tolist() for g, i in whole.items()
    }


def _stored(kind, key, year=2025, window="Q1-Q4"):
    return GroupStatistics.objects.get(year=year, window=window, kind=kind, key=key)


@pytest.mark.django_db
def test_a_profile_group_that_leaves_out_fewer_than_five_practices_is_not_published():
    """Nine of twelve practices declare "algemeen": the three outside it would be the difference
    between the national figures and the profile's, so the profile group shows nothing; once
    five are outside it, it is published."""
    practices = [PracticeFactory(profile="algemeen" if i < 9 else "") for i in range(12)]
    for i, practice in enumerate(practices):
        make_import(practice, 2025, size=1 + i % 3, recompute=False)
    recompute_all()
    near_national = _stored(GroupKind.PROFILE, "algemeen")
    assert near_national.n == 9 and near_national.stats is None

    for practice in practices[:2]:
        practice.profile = "kinderen"
        practice.save()
    recompute_all()
    assert _stored(GroupKind.PROFILE, "algemeen").stats is not None
    # Two "kinderen" practices: below the minimum group size, nothing.
    assert _stored(GroupKind.PROFILE, "kinderen").stats is None


@pytest.mark.django_db
def test_a_resent_first_quarter_moves_the_practice_to_another_size_class_incrementally():
    """Incremental equals full also when an import moves a practice between size classes."""
    practices = [PracticeFactory() for _ in range(16)]
    for i, practice in enumerate(practices):
        make_import(practice, 2025, size=(SMALL, MIDDLE)[i % 2], recompute=False)
    recompute_all()
    assert _stored(GroupKind.SIZE, "klein").n == 8
    assert _stored(GroupKind.SIZE, "middel").n == 8

    make_import(practices[0], 2025, size=LARGE)  # recomputes incrementally
    assert _stored(GroupKind.SIZE, "klein").n == 7
    assert _stored(GroupKind.SIZE, "groot").n == 1
    assert_a_full_recompute_changes_nothing()
