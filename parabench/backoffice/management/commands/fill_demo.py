"""``manage.py fill_demo``: a national demo dataset through the real path (see backoffice/demo.py).

Needs the uploader and the worker running (``make run`` starts both and then calls this).
"""

from django.core.management.base import BaseCommand, CommandError

from parabench.backoffice import demo


class Command(BaseCommand):
    help = "Vul een landelijke demodataset via de echte route (certificaat, export, mTLS-upload)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=240, help="aantal praktijken")
        parser.add_argument(
            "--uploader-url",
            default="https://127.0.0.1:8443/ParabenchUploader/services",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--processes", type=int, default=None)
        parser.add_argument("--force", action="store_true", help="ook als er al data is")

    def handle(self, *args, size, uploader_url, seed, processes, force, **options):
        if demo.is_filled() and not force:
            self.stdout.write("De demodataset is er al; niets te doen (gebruik --force).")
            return
        if size < 12:
            raise CommandError("Minimaal 12 praktijken: één per provincie.")
        summary = demo.fill(
            size=size,
            uploader_url=uploader_url,
            seed=seed,
            processes=processes,
            say=lambda message: self.stdout.write(message),
        )
        self.stdout.write(
            f"Klaar in {summary['seconds']} s: {summary['imported']} exports ingelezen, "
            f"{summary['rejected']} afgekeurd, van {summary['practices']} praktijken."
        )
        self.stdout.write("Inloggen / log in:")
        for login in demo.demo_logins():
            self.stdout.write(f"  {login.role:<24} {login.username} / {login.password}")
