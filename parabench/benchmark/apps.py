from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "parabench.benchmark"
    label = "benchmark"

    def ready(self):
        from parabench.benchmark import signals  # noqa: F401
