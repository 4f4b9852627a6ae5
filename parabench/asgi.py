"""ASGI entry of the portal (``uvicorn parabench.asgi:application``, docs/deployment.md).

A page runs the same few statements for every practice (session, user, import, figures): they
are prepared on PostgreSQL, which then plans each once per pooled connection instead of on every
request (the Trends tab's own-figures query planned in 0.6 ms and ran in 0.3 ms).
"""

import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

from parabench import env

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
env.prepared_statements_by_default()
application = get_asgi_application()
# The views and what they import, loaded now rather than by the first request, so that the
# settled heap holds them too (env.settle_heap says why).
get_resolver().url_patterns  # noqa: B018
env.settle_heap()
