from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parabench.accounts.forms import QueuedPasswordResetForm

urlpatterns = [
    path(
        "vergeten/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "instellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "ingesteld/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("wijzigen/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("gewijzigd/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
