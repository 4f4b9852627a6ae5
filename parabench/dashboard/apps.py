from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "parabench.dashboard"
    label = "dashboard"
