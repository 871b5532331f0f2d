from django.urls import path

from . import views_pending

urlpatterns = [
    path("w/<slug:slug>/networks/", views_pending.pending, name="network-list"),
]
