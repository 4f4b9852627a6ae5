from django.urls import path

from parabench.certificates import views

app_name = "certificates"
urlpatterns = [
    path("profiel/gegevens/", views.details, name="details"),
    path("profiel/gegevens/certificaten/uitgeven/", views.issue, name="issue"),
    path("profiel/gegevens/certificaten/<int:pk>/download/", views.download, name="download"),
    path("profiel/gegevens/certificaten/<int:pk>/blokkeren/", views.block, name="block"),
    path("profiel/gegevens/certificaten/aanvraagcode/", views.request_code, name="request_code"),
    path("profiel/gegevens/certificaten/verzoek/", views.sign_csr, name="sign_csr"),
    path(
        "profiel/gegevens/certificaten/<int:pk>/certificaat.pem",
        views.certificate_pem,
        name="certificate_pem",
    ),
    path("profiel/beveiliging/", views.security, name="security"),
    path("certificaten/crl.pem", views.crl, {"format": "pem"}, name="crl_pem"),
    path("certificaten/crl.der", views.crl, {"format": "der"}, name="crl_der"),
    path("certificaten/ca.pem", views.ca_certificate, name="ca_pem"),
]
