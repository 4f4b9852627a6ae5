from django.urls import path

from parabench.uploads import views

app_name = "uploads"
urlpatterns = [
    path("<int:import_id>/", views.detail, name="detail"),
]
