"""One factory per model, unsurprising defaults. Other apps add theirs here."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from parabench.accounts.models import User
from parabench.practices.models import Network, Practice
from parabench.practices.provinces import Province

PASSWORD = "correct-horse-battery"


@cache
def password_hash() -> str:
    """PASSWORD hashed once per test process, by the configured hasher (in tests Argon2 at its
    lowest cost, tests/hashers.py). Users made by the factory share this real hash; logging in
    still verifies it with Argon2, and set_password still hashes anew."""
    return make_password(PASSWORD)


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"Netwerk {n}")


class PracticeFactory(DjangoModelFactory):
    class Meta:
        model = Practice

    agb_code = factory.Sequence(lambda n: f"04{200000 + n:06d}")
    debtor_number = factory.Sequence(lambda n: str(500000 + n))
    name = factory.Sequence(lambda n: f"Fysiotherapie {n}")
    street = "Kerkstraat 1"
    postcode = "2741 GA"
    city = "Waddinxveen"
    province = Province.ZUID_HOLLAND
    network = None


def persona_network() -> Network:
    """The personas' network (conftest's ``network``; module worlds build the same)."""
    return NetworkFactory(number=7, name="Fysio Netwerk Groene Hart")


def persona_practice_a(network) -> Practice:
    """Practice A of the personas, the one most tests log in as."""
    return PracticeFactory(
        agb_code="04123451",
        name="Fysiotherapie Parabench",
        debtor_number="100234",
        street="Dorpsstraat 12",
        postcode="2741 GA",
        city="Waddinxveen",
        network=network,
    )


def persona_practice_b(network) -> Practice:
    """Practice B, in A's network."""
    return PracticeFactory(agb_code="04999001", name="Fysio Gouda", city="Gouda", network=network)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    practice = factory.SubFactory(PracticeFactory)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        """``UserFactory(password="...")`` hashes that one; by default the shared hash."""
        if extracted is None:
            obj.password = password_hash()
        else:
            obj.set_password(extracted)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
