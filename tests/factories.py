"""One factory per model, unsurprising defaults. Other apps add theirs here."""

import factory
from factory.django import DjangoModelFactory

from parabench.accounts.models import User
from parabench.practices.models import Network, Practice
from parabench.practices.provinces import Province

PASSWORD = "correct-horse-battery"


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


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    practice = factory.SubFactory(PracticeFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
