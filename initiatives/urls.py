"""Pages of the initiatives app: the portfolio (portfolio_urls) and team development (team_urls)."""

from importlib import import_module

app_name = "initiatives"

urlpatterns = []
for _module in ("initiatives.views.portfolio_urls", "initiatives.views.team_urls"):
    try:
        urlpatterns += import_module(_module).urlpatterns
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
