"""Send the certificate expiry e-mails due now (by hand or cron; the worker does it daily)."""

from django.core.management.base import BaseCommand

from parabench.certificates.expiry import send_expiry_notices


class Command(BaseCommand):
    help = "E-mail practices whose certificate expires within 60, 30 or 7 days (each once)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_expiry_notices()} expiry e-mail(s) sent.")
