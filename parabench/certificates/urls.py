from django.urls import path

from parabench.certificates import views

app_name = "certificates"
urlpatterns = [
    path("profiel/gegevens/", views.details, name="details"),
    path("profiel/gegevens/certificaten/uitgeven/", views.issue, name="issue"),
    path("profiel/gegevens/certificaten/<int:pk>/download/", views.download, name="download"),
    path("profiel/gegevens/certificaten/<int:pk>/blokkeren/", views.block, name="block"),
    path("certificaten/crl.pem", views.crl, {"format": "pem"}, name="crl_pem"),
    path("certificaten/crl.der", views.crl, {"format": "der"}, name="crl_der"),
    path("certificaten/ca.pem", views.ca_certificate, name="ca_pem"),
]
