from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "parabench.certificates"
    label = "certificates"
