from django.urls import path

from parabench.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("<int:import_id>/", views.detail, name="detail"),
]
