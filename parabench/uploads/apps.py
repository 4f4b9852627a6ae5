from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "parabench.uploads"
    label = "uploads"
