"""Accounts a fresh embedded system needs so a new user can log in at once."""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from parabench.accounts.models import User
from parabench.practices.models import Practice


@dataclass
class DemoAccount:
    role: str
    username: str
    password: str


OPERATOR = DemoAccount("Beheerder / operator", "beheer", "parabench-beheer")
DEMO_PRACTICE_USER = DemoAccount("Praktijk / practice", "demo", "parabench-demo")


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the operator and a demo practice user once; never in production."""
    if not settings.DEBUG and not os.environ.get("PARABENCH_DEMO"):
        raise ImproperlyConfigured("Demo accounts are only made with DEBUG on.")
    if not User.objects.filter(username=OPERATOR.username).exists():
        User.objects.create_superuser(
            OPERATOR.username, "beheer@parabench.localhost", OPERATOR.password
        )
    practice, _ = Practice.objects.get_or_create(
        agb_code="04123451",
        defaults={
            "name": "Fysiotherapie Parabench",
            "debtor_number": "100234",
            "street": "Dorpsstraat 12",
            "postcode": "2741 GA",
            "city": "Waddinxveen",
        },
    )
    if not User.objects.filter(username=DEMO_PRACTICE_USER.username).exists():
        User.objects.create_user(
            DEMO_PRACTICE_USER.username,
            "demo@parabench.localhost",
            DEMO_PRACTICE_USER.password,
            practice=practice,
        )
    return [OPERATOR, DEMO_PRACTICE_USER]
