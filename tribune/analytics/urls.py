"""URLs of the analytics app: each area has its own urls_<area>.py, included here."""

from django.urls import include, path

urlpatterns: list = []


def _area(module: str) -> None:
    urlpatterns.append(path("", include(f"tribune.analytics.{module}")))
