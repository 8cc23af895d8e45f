from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView

from vpportal import sso_views, views
from vpportal.people import urls as people_urls

# The admin signs in through the same login (lockout, MFA) as the pages.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # allauth's OpenID Connect views, with the ID token's signature checked and failures answered
    # by a clear page (vpportal/sso_views.py); before allauth's URLs so these paths resolve here.
    path("accounts/oidc/<str:provider_id>/login/", sso_views.login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", sso_views.callback, name="openid_connect_callback"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<str:token_key>/revoke/", views.token_revoke, name="token_revoke"),
    path("people/", include(people_urls)),
    path("initiatives/", include("initiatives.urls")),
    path("governance/", include("governance.urls")),
    path("evidence/", include("evidence.views.urls")),
    path("integrations/", include("integrations.urls")),
    # The top floor: home, dashboard, what's due, search, the executive report, import.
    path("", include("leadership.urls")),
    path("api/v1/", include(("leadership.api_urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
    path("health/", HealthCheckView.as_view(checks=["health_check.checks.Database"]), name="health"),
]

# A database outage met before a view (in a middleware) answers 503 like one met in a view.
handler500 = "vpportal.core.outage.server_error"
