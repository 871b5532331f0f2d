from django.urls import path

from . import views_checks as views

urlpatterns = [
    path("w/<slug:slug>/calendar/checks/", views.calendar_checks, name="calendar-checks"),
    path("w/<slug:slug>/calendar/rules/", views.settings_edit, name="editorial-settings"),
    path("w/<slug:slug>/pillars/", views.pillar_list, name="pillar-list"),
    path("w/<slug:slug>/pillars/new/", views.pillar_edit, name="pillar-create"),
    path("w/<slug:slug>/pillars/<int:pillar_id>/edit/", views.pillar_edit, name="pillar-edit"),
    path(
        "w/<slug:slug>/pillars/<int:pillar_id>/delete/",
        views.pillar_delete,
        name="pillar-delete",
    ),
]
