from django.contrib.auth import views as auth_views

from parabench.accounts.forms import LoginForm

login = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)
