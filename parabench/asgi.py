"""ASGI entry of the portal (``uvicorn parabench.asgi:application``, docs/deployment.md).

A page runs the same few statements for every practice (session, user, import, figures): they
are prepared on PostgreSQL, which then plans each once per pooled connection instead of on every
request (the Trends tab's own-figures query planned in 0.6 ms and ran in 0.3 ms).
"""

import os

from django.core.asgi import get_asgi_application

from parabench.env import prepared_statements_by_default

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
prepared_statements_by_default()
application = get_asgi_application()
