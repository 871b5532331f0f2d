from django.urls import path

from . import views_posts as views

urlpatterns = [
    path("w/<slug:slug>/posts/", views.post_list, name="post-list"),
    path("w/<slug:slug>/posts/new/", views.post_create, name="post-create"),
    path("w/<slug:slug>/posts/<int:post_id>/", views.post_detail, name="post-detail"),
    path("w/<slug:slug>/posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("w/<slug:slug>/posts/<int:post_id>/delete/", views.post_delete, name="post-delete"),
    path(
        "w/<slug:slug>/posts/check/<slug:network>/",
        views.variant_check,
        name="post-variant-check",
    ),
]
