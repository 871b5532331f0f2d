"""The editorial app's URLs: one module per area."""

from django.urls import include, path

AREAS = ["posts", "media", "links", "calendar", "checks", "workflow", "imports"]

urlpatterns = [path("", include(f"tribune.editorial.urls_{area}")) for area in AREAS]
