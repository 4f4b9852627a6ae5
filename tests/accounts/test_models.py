"""What every record of who did what shares (``acting_user``, ``Record``)."""

import pytest

from parabench.accounts.models import LoginEvent, Record
from parabench.certificates.models import CertificateEvent, ClientCertificate, RequestCode
from parabench.coordination.models import Consent, Coordinator, CoordinatorView

ACTING_USERS = [
    (ClientCertificate, "issued_by"),
    (ClientCertificate, "blocked_by"),
    (CertificateEvent, "user"),
    (RequestCode, "created_by"),
    (Coordinator, "invited_by"),
    (Consent, "by"),
]


@pytest.mark.parametrize("model", [LoginEvent, CoordinatorView, Consent])
def test_records_are_stamped_when_written_and_listed_newest_first(model):
    assert issubclass(model, Record)
    at = model._meta.get_field("at")
    assert at.auto_now_add and at.db_index
    assert model._meta.ordering == ["-at", "-id"]


@pytest.mark.parametrize(("model", "name"), ACTING_USERS)
def test_who_did_it_outlives_the_account_and_has_no_reverse_accessor(model, name):
    field = model._meta.get_field(name)
    assert field.remote_field.on_delete.__name__ == "SET_NULL" and field.null
    assert field.remote_field.related_name == "+"
