from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "parabench.benchmark"
    label = "benchmark"
