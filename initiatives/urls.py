"""Pages of the initiatives app: the portfolio (portfolio_urls) and team development (team_urls)."""

from initiatives.views import portfolio_urls, team_urls

app_name = "initiatives"

urlpatterns = [*portfolio_urls.urlpatterns, *team_urls.urlpatterns]
