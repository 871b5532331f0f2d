"""The publishing app's URLs: one module per area (urls_<area>.py)."""

from django.urls import include, path

AREAS = ["targets", "reminders"]

urlpatterns = [path("", include(f"tribune.publishing.urls_{area}")) for area in AREAS]
