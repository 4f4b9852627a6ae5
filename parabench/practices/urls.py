from django.urls import path

from parabench.practices import views

app_name = "practices"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("praktijkprofiel/", views.declare_profile, name="declare_profile"),
]
