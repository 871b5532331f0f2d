from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tribune.api import api
from tribune.core import views as core_views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("tribune.workspaces.urls")),
    path("", include("tribune.strategy.urls")),
    path("", include("tribune.editorial.urls")),
    path("", include("tribune.networks.urls")),
    path("", include("tribune.publishing.urls")),
    path("", include("tribune.analytics.urls")),
]
