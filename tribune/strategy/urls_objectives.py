from django.urls import path

from . import views_pending

urlpatterns = [
    path("w/<slug:slug>/objectives/", views_pending.pending, name="objective-list"),
]
