from django.urls import path

from . import views_media as views

urlpatterns = [
    path("w/<slug:slug>/media/", views.media_list, name="media-list"),
    path("w/<slug:slug>/media/upload/", views.media_upload, name="media-upload"),
    path("w/<slug:slug>/media/picker/", views.media_picker, name="media-picker"),
    path("w/<slug:slug>/media/<int:media_id>/edit/", views.media_edit, name="media-edit"),
    path("w/<slug:slug>/media/<int:media_id>/delete/", views.media_delete, name="media-delete"),
    path("w/<slug:slug>/media/<int:media_id>/file/", views.media_file, name="media-file"),
    path(
        "w/<slug:slug>/media/<int:media_id>/thumbnail/",
        views.media_thumbnail,
        name="media-thumbnail",
    ),
]
