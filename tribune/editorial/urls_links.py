from django.urls import path

from . import views_links as views

urlpatterns = [
    path("w/<slug:slug>/settings/links/", views.link_settings, name="link-settings"),
    path("l/<str:code>", views.short_link, name="short-link"),
]
