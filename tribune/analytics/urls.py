"""The analytics app's URLs: one module per area (urls_<area>.py).

Areas: indicators (business figures by hand, CSV, API, webhook), dashboards
(overview, breakdowns, best time), reports (templates, schedules, runs).
"""

from importlib.util import find_spec

from django.urls import include, path

AREAS = ["indicators", "dashboards", "reports"]

# An area whose module is not written yet is simply not mounted.
urlpatterns = [
    path("", include(f"tribune.analytics.urls_{area}"))
    for area in AREAS
    if find_spec(f"tribune.analytics.urls_{area}") is not None
]
