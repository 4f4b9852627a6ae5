from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "parabench.practices"
    label = "practices"
