"""URLs of this app: one module per area (urls_<area>.py)."""

from django.urls import include, path

AREAS = ["accounts"]

urlpatterns = [path("", include(f"tribune.networks.urls_{area}")) for area in AREAS]
