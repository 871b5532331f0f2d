from django.urls import path

from . import views_pending

urlpatterns = [
    path("w/<slug:slug>/plan/", views_pending.pending, name="plan"),
]
