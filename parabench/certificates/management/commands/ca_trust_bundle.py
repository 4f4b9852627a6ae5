"""Write the PEM bundle of every CA whose client certificates may pass TLS (for nginx)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from parabench.certificates.ca import write_trust_bundle


class Command(BaseCommand):
    help = (
        "Write the current CA, the CAs of CA_PREVIOUS_CERT_PATHS and the acceptance CA to "
        "CA_TRUST_BUNDLE_PATH (or --out): nginx's ssl_client_certificate during a rollover or "
        "with vendors' acceptance certificates. The uploader decides what each may do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None)

    def handle(self, *args, out=None, **options):
        self.stdout.write(f"Trust bundle written to {write_trust_bundle(out)}")
