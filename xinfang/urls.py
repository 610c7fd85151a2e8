from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.accounts.views import LoginView, home
from xinfang.api.urls import api

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("casework/supervision/", include("xinfang.casework.supervision.urls")),
    path("casework/programs/", include("xinfang.casework.programs.urls")),
    path("casework/", include("xinfang.casework.urls")),
    path("analytics/", include("xinfang.analytics.urls")),
    path("finance/", include("xinfang.finance.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
