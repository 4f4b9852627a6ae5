"""How far a CA rollover is: per trusted CA, the certificates that still depend on it."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from parabench.certificates.ca import production_ca_certificates
from parabench.certificates.models import ClientCertificate


class Command(BaseCommand):
    help = (
        "Per production CA (current first, then CA_PREVIOUS_CERT_PATHS): valid, unblocked "
        "certificates and the last end date. An earlier CA can go once it has none left."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        for index, ca in enumerate(production_ca_certificates()):
            issuer = ca.subject.rfc4514_string()
            live = ClientCertificate.objects.filter(
                issuer=issuer, blocked_at__isnull=True, not_after__gt=now
            )
            last = live.order_by("-not_after").values_list("not_after", flat=True).first()
            role = "current" if index == 0 else "previous"
            self.stdout.write(
                f"{role:8} {issuer}: {live.count()} valid certificate(s)"
                + (f", the last until {last:%Y-%m-%d}" if last else "")
                + (f"; CA valid until {ca.not_valid_after_utc:%Y-%m-%d}")
            )
