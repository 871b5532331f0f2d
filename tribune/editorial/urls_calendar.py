from django.urls import path

from . import views_calendar as views
from . import views_calendar_slots as slots

urlpatterns = [
    path("w/<slug:slug>/calendar/", views.calendar_page, name="calendar"),
    path("w/<slug:slug>/calendar/feed/", views.calendar_feed, name="calendar-feed"),
    path(
        "w/<slug:slug>/calendar/posts/<int:post_id>/drop/",
        views.calendar_drop,
        name="calendar-drop",
    ),
    path(
        "w/<slug:slug>/calendar/posts/<int:post_id>/move/",
        views.calendar_move,
        name="calendar-move",
    ),
    path(
        "w/<slug:slug>/calendar/posts/<int:post_id>/queue/",
        views.calendar_add_to_queue,
        name="calendar-add-to-queue",
    ),
    path("w/<slug:slug>/calendar/slots/", slots.queue_slots, name="queue-slots"),
    path(
        "w/<slug:slug>/calendar/slots/<int:slot_id>/edit/",
        slots.queue_slot_edit,
        name="queue-slot-edit",
    ),
    path(
        "w/<slug:slug>/calendar/slots/<int:slot_id>/delete/",
        slots.queue_slot_delete,
        name="queue-slot-delete",
    ),
    path("w/<slug:slug>/calendar/ical/", slots.calendar_ical, name="calendar-ical"),
    path("ical/<str:token>/calendar.ics", slots.calendar_ical_feed, name="calendar-ical-feed"),
]
