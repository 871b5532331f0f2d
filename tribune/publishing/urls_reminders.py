from django.urls import path

from . import views_reminders as views

urlpatterns = [
    path("w/<slug:slug>/publishing/", views.queue, name="publishing-queue"),
    path("w/<slug:slug>/publishing/late/", views.late_banner, name="publishing-late"),
    path(
        "w/<slug:slug>/publishing/reminders/<int:target_id>/",
        views.reminder,
        name="publishing-reminder",
    ),
]
