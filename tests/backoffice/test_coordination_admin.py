import pytest
from django.urls import reverse

from parabench.coordination.models import Coordinator, CoordinatorView
from tests.backoffice.test_practices_admin import network_inlines
from tests.coordination.factories import ConsentFactory, CoordinatorFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_operator_invites_a_coordinator_on_the_network_page(operator_client, operator, network):
    user = UserFactory(username="coco", practice=None)
    response = operator_client.post(
        reverse("admin:practices_network_change", args=[network.pk]),
        {"number": network.number, "name": network.name, **network_inlines([user])},
    )
    assert response.status_code == 302
    role = Coordinator.objects.get(network=network)
    assert (role.user, role.invited_by) == (user, operator)


def test_the_network_page_lists_coordinators_and_the_members_consents(
    operator_client, network, practice_a, user_a
):
    CoordinatorFactory(network=network, user__username="coco")
    ConsentFactory(practice=practice_a, by=user_a)
    page = operator_client.get(
        reverse("admin:practices_network_change", args=[network.pk])
    ).content.decode()
    assert "coco" in page and practice_a.name in page


def test_the_coordinators_audit_trail_can_be_read_and_not_changed(operator_client, network):
    role = CoordinatorFactory(network=network)
    view = CoordinatorView.objects.create(user=role.user, network=network, page="trend")
    changelist = operator_client.get(reverse("admin:coordination_coordinatorview_changelist"))
    assert changelist.status_code == 200 and role.user.username in changelist.content.decode()
    assert operator_client.get(reverse("admin:coordination_coordinatorview_add")).status_code == 403
    operator_client.post(
        reverse("admin:coordination_coordinatorview_delete", args=[view.pk]), {"post": "yes"}
    )
    assert CoordinatorView.objects.filter(pk=view.pk).exists()
