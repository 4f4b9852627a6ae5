"""ASGI entry of the uploader, its own process on its own port.

Embedded (``python -m parabench.uploads.server``): uvicorn terminates mutual TLS itself.
Production, behind nginx: ``python -m parabench.uploads.server --plain --port 8001``, or
``uvicorn parabench.uploads.asgi:application --host 127.0.0.1 --port 8001 --no-proxy-headers``
(uvicorn's proxy headers would replace the TCP peer by X-Forwarded-For), with
UPLOADER_TRUSTED_PROXIES=127.0.0.1 (see docs/deployment.md).
"""

import os

import django

from parabench import env

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
env.prepared_statements_by_default()
django.setup(set_prefix=False)

from parabench.uploads.service import application  # noqa: E402

env.settle_heap()

__all__ = ["application"]
