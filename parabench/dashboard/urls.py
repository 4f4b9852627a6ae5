from django.urls import path

from parabench.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("<int:import_id>/", views.detail, name="detail"),
    path("<int:import_id>/rapport.pdf", views.report_pdf, name="report"),
    path("<int:import_id>/cijfers.xlsx", views.figures_xlsx, name="xlsx"),
    path("<int:import_id>/cijfers.csv", views.figures_csv, name="csv"),
]
