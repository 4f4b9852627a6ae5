"""Serve the plotly.js bundle that ships inside the plotly Python package: no CDN, no npm."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
STATIC_NAME = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == STATIC_NAME:
            return [str(PLOTLY_JS)] if find_all or kwargs.get("all") else str(PLOTLY_JS)
        # [] also when not asked for all: Django's finders.find() would otherwise collect this
        # None into a [None] "match" and WhiteNoise would fail on it (a 500 for a missing file).
        return []

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=str(PLOTLY_JS.parent))
        storage.prefix = "vendor"
        yield PLOTLY_JS.name, storage
