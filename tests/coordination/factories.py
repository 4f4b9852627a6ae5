import factory
from factory.django import DjangoModelFactory

from parabench.coordination.models import Consent, Coordinator
from tests.factories import NetworkFactory, UserFactory


class CoordinatorFactory(DjangoModelFactory):
    class Meta:
        model = Coordinator

    user = factory.SubFactory(UserFactory, practice=None)
    network = factory.SubFactory(NetworkFactory)


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    practice = None
    network = factory.LazyAttribute(lambda c: c.practice.network)
    given = True
    by = None
