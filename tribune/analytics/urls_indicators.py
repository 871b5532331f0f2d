"""Business indicators: the pages under /w/<slug>/analytics/indicators/ and the signed webhook."""

from django.urls import path

from . import views_indicators as views
from . import webhooks

urlpatterns = [
    path("w/<slug:slug>/analytics/indicators/", views.indicator_list, name="indicator-list"),
    path("w/<slug:slug>/analytics/indicators/add/", views.indicator_add, name="indicator-add"),
    path(
        "w/<slug:slug>/analytics/indicators/<int:figure_id>/delete/",
        views.indicator_delete,
        name="indicator-delete",
    ),
    path(
        "w/<slug:slug>/analytics/indicators/import/",
        views.indicator_import,
        name="indicator-import",
    ),
    path(
        "w/<slug:slug>/analytics/indicators/webhook/",
        views.indicator_webhook,
        name="indicator-webhook",
    ),
    path("hooks/indicators/<slug:slug>/", webhooks.receive_figures, name="indicator-hook"),
]
