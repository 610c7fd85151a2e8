from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.accounts.views import LoginView, home, two_factor
from xinfang.api.urls import api
from xinfang.core import views as core_views

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor, name="two_factor"),
    path("casework/supervision/", include("xinfang.casework.supervision.urls")),
    path("casework/programs/", include("xinfang.casework.programs.urls")),
    path("casework/exchange/", include("xinfang.exchange.urls")),  # issue 17
    path("casework/", include("xinfang.casework.urls")),
    path("analytics/", include("xinfang.analytics.urls")),
    path("finance/", include("xinfang.finance.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("open311/v2/", include("xinfang.open311.urls")),  # GeoReport v2 (issue 17)
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# Production stack (issue 13): health endpoints for the proxy and the service manager; the 500 page shows the
# request id that the log lines carry (core.logs).
urlpatterns += [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]
handler400 = "xinfang.core.views.bad_request"
handler500 = "xinfang.core.views.server_error"
