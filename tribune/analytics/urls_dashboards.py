from django.urls import path

from . import views_dashboards as views

urlpatterns = [
    path("w/<slug:slug>/analytics/", views.overview, name="analytics"),
    path("w/<slug:slug>/analytics/breakdown/", views.breakdown, name="analytics-breakdown"),
    path("w/<slug:slug>/analytics/best-time/", views.best_time, name="analytics-best-time"),
    path(
        "w/<slug:slug>/analytics/best-time/slots/",
        views.suggest_slots,
        name="analytics-suggest-slots",
    ),
]
