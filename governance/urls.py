"""Pages of the governance app: policies and frameworks (policy_urls), AI systems and risks (risk_urls)."""

from importlib import import_module

app_name = "governance"

urlpatterns = []
for _module in ("governance.views.policy_urls", "governance.views.risk_urls"):
    try:
        urlpatterns += import_module(_module).urlpatterns
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
