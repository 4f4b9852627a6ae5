"""Create a production CA in a directory and say what to back up."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parabench.certificates import pki
from parabench.certificates.ca import write_ca_files


class Command(BaseCommand):
    help = "Create a new ParaBench CA (EC P-256) in --out: ca.pem and ca.key (mode 0600)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="directory for the files")
        parser.add_argument("--name", default=pki.DEFAULT_CA_NAME, help="the CA's common name")
        parser.add_argument(
            "--days", type=int, default=pki.CA_VALIDITY_DAYS, help="validity in days"
        )

    def handle(self, *args, out: Path, name: str, days: int, **options):
        cert_path, key_path = out / "ca.pem", out / "ca.key"
        for existing in (cert_path, key_path):
            if existing.exists():
                raise CommandError(
                    f"{existing} already exists. A new CA invalidates every certificate issued "
                    "under the old one; remove the files yourself if that is really intended."
                )
        ca = pki.create_ca(name, days=days)
        write_ca_files(ca, cert_path, key_path)
        self.stdout.write(
            "\n".join(
                [
                    f"Created CA {ca.certificate.subject.rfc4514_string()}",
                    f"  valid until {ca.certificate.not_valid_after_utc:%Y-%m-%d}",
                    f"  certificate: {cert_path}",
                    f"  private key: {key_path} (mode 0600)",
                    f"  SHA-256 fingerprint: {pki.fingerprint(ca.certificate)}",
                    "",
                    "Configure the portal and the uploader with:",
                    f"  CA_CERT_PATH={cert_path.resolve()}",
                    f"  CA_KEY_PATH={key_path.resolve()}",
                    "  CA_AUTO_CREATE=0",
                    "",
                    "Back up BOTH files now, to storage outside this server (the key encrypted,",
                    "e.g. in the password manager or an offline medium). Without ca.key no",
                    "certificate can be issued or blocked in the CRL; without ca.pem no proxy can",
                    "verify the practices' certificates. Never put ca.key in the repository or",
                    "the database.",
                ]
            )
        )
