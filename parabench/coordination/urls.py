from django.urls import path

from parabench.coordination import views

app_name = "coordination"
urlpatterns = [
    path("", views.networks, name="networks"),
    path("<int:number>/", views.participation, name="participation"),
    path("<int:number>/verdeling/", views.distribution, name="distribution"),
    path("<int:number>/trend/", views.trend, name="trend"),
    path("<int:number>/praktijk/<str:agb_code>/", views.member, name="member"),
    path("toestemming/", views.decide, name="consent"),
]
