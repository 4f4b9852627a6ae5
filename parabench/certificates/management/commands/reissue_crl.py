"""Write the CRL file now (for cron or by hand) and optionally start the daily task chain."""

from django.core.management.base import BaseCommand

from parabench.certificates.tasks import ensure_crl_schedule, ensure_expiry_schedule, write_crl


class Command(BaseCommand):
    help = "Re-issue the CRL to CA_CRL_PATH (or --out); --schedule books the daily background run."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=None, help="write here instead of CA_CRL_PATH")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also enqueue the daily reissue_crl and send_expiry_notices tasks unless waiting",
        )

    def handle(self, *args, out=None, schedule=False, **options):
        path = write_crl(out)
        self.stdout.write(f"CRL written to {path}")
        if schedule:
            booked = ensure_crl_schedule()
            self.stdout.write(
                "Daily reissue_crl task enqueued."
                if booked
                else "Daily reissue_crl already booked."
            )
            # The certificate expiry e-mails (60/30/7 days) run on the same daily rhythm.
            ensure_expiry_schedule()
