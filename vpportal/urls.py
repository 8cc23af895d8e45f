from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView

from vpportal import views
from vpportal.people import urls as people_urls

# The admin signs in through the same login (lockout, MFA) as the pages.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<str:token_key>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/", include(people_urls)),
    path("initiatives/", include("initiatives.urls")),
    path("governance/", include("governance.urls")),
    path("integrations/", include("integrations.urls")),
    # Leadership views: dashboard, what's due, search, the executive report, import.
    path("", include("vpportal.dashboard.urls")),
    path("", include("vpportal.reports.urls")),
    path("", include("vpportal.imports.urls")),
    path("api/v1/", include(("vpportal.api.urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
    path("health/", HealthCheckView.as_view(checks=["health_check.checks.Database"]), name="health"),
]

# A database outage met before a view (in a middleware) answers 503 like one met in a view.
handler500 = "vpportal.core.outage.server_error"
