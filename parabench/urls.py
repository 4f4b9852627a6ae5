from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from parabench.accounts import views as account_views
from parabench.coordination import views as coordination_views
from parabench.dashboard import views as dashboard_views

urlpatterns = [
    path("", coordination_views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page's <link rel=icon> says.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("inloggen/", account_views.login, name="login"),
    path("inloggen/code/", account_views.verify, name="two_factor_verify"),
    path("inloggen/tweestapsverificatie/", account_views.setup, name="two_factor_setup"),
    path("profiel/tweestapsverificatie/", account_views.overview, name="two_factor_overview"),
    path(
        "profiel/tweestapsverificatie/herstelcodes/",
        account_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("profiel/tweestapsverificatie/uit/", account_views.switch_off, name="two_factor_off"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord/", include("parabench.accounts.urls")),
    path("profiel/", include("parabench.practices.urls")),
    path("", include("parabench.certificates.urls")),
    path("dashboard/", include("parabench.dashboard.urls")),
    path("netwerken/", include("parabench.coordination.urls")),
    path("profiel/berichten/", include("parabench.notifications.urls")),
    path("uitleg/", dashboard_views.uitleg, name="uitleg"),
    path("imports/", include("parabench.uploads.urls")),
    path("backoffice/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
