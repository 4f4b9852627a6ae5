"""Two requests at the same moment, on real database connections (no shared transaction)."""

import threading

import pytest
from django.db import connection

from parabench.certificates import services
from parabench.certificates.models import CertificateEvent, ClientCertificate
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(work())
        except Exception as error:  # the outcome is what the test looks at
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_a_double_submit_arriving_at_the_same_moment_issues_one_certificate():
    practice = PracticeFactory(agb_code="04123451")
    outcomes = _at_once(
        2,
        lambda: services.issue_certificate(
            practice, actor=services.Actor(), issue_token="one-click"
        ),
    )
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert sorted(created for _certificate, created in outcomes) == [False, True]
    assert ClientCertificate.objects.filter(practice=practice).count() == 1


def test_simultaneous_issues_of_one_practice_get_distinct_numbers():
    practice = PracticeFactory(agb_code="04123452")
    outcomes = _at_once(
        3,
        lambda: services.issue_certificate(
            practice, actor=services.Actor(), issue_token=services.new_issue_token()
        ),
    )
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    numbers = sorted(ClientCertificate.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3]


def test_two_simultaneous_downloads_deliver_the_key_once():
    practice = PracticeFactory(agb_code="04123453")
    certificate, _ = services.issue_certificate(practice, actor=services.Actor())
    outcomes = _at_once(
        2,
        lambda: services.download_certificate(
            certificate.pk, practice=practice, actor=services.Actor()
        ),
    )
    delivered = [o for o in outcomes if isinstance(o, services.Download)]
    refused = [o for o in outcomes if isinstance(o, services.CertificateError)]
    assert len(delivered) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "certificate_already_downloaded"
    assert CertificateEvent.objects.filter(action="downloaded").count() == 1
