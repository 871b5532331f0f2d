"""The analytics app's URLs: one module per area (urls_<area>.py).

Areas: indicators (business figures by hand, CSV, API, webhook), dashboards
(overview, breakdowns, best time), reports (templates, schedules, runs).
"""

from django.urls import include, path

AREAS = ["indicators", "dashboards", "reports"]

urlpatterns = [path("", include(f"tribune.analytics.urls_{area}")) for area in AREAS]
