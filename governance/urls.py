"""Pages of the governance app: policies and frameworks (policy_urls), AI systems and risks
(risk_urls), incidents and vendors (incident_urls)."""

from governance.views import incident_urls, policy_urls, risk_urls

app_name = "governance"

urlpatterns = [*policy_urls.urlpatterns, *risk_urls.urlpatterns, *incident_urls.urlpatterns]
