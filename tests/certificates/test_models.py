"""A practice's client certificate and a vendor's acceptance certificate are one kind of row: an
issued certificate, with the same fields and the same rule for when it may be used."""

import datetime as dt

import pytest
from django.core.management import call_command

from parabench.certificates.models import ClientCertificate, IssuedCertificate, VendorCertificate

SHARED = [f.name for f in IssuedCertificate._meta.get_fields()]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("model", [ClientCertificate, VendorCertificate])
def test_both_kinds_of_certificate_take_their_certificate_fields_from_one_definition(model):
    assert issubclass(model, IssuedCertificate)
    assert set(SHARED) >= {"fingerprint_sha256", "not_after", "issued_by", "blocked_at"}
    for name in SHARED:
        assert (
            model._meta.get_field(name).deconstruct()[1:]
            == (IssuedCertificate._meta.get_field(name).deconstruct()[1:])
        )


@pytest.mark.parametrize("model", [ClientCertificate, VendorCertificate])
def test_a_certificate_is_refused_blocked_first_then_expired_then_not_yet_valid(model):
    row = model(not_before=START, not_after=END)
    assert row.refusal(START) is None
    assert row.refusal(START - dt.timedelta(seconds=1)) == "certificate_not_yet_valid"
    assert row.refusal(END) == "certificate_expired"
    row.blocked_at = START
    assert row.refusal(END) == "certificate_blocked"


@pytest.mark.django_db
def test_the_models_say_what_the_migrations_say():
    # Sharing a definition must not change the schema: no migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
