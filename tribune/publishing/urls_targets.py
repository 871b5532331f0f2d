from django.urls import path

from . import views_targets as views

POST = "w/<slug:slug>/posts/<int:post_id>/publishing/"
TARGET = "w/<slug:slug>/publishing/targets/<int:target_id>/"

urlpatterns = [
    path(POST, views.post_publishing, name="post-publishing"),
    path(POST + "retry-failed/", views.post_retry_failed, name="post-retry-failed"),
    path(POST + "now/", views.post_publish_now, name="post-publish-now"),
    path(TARGET + "retry/", views.target_retry, name="target-retry"),
    path(TARGET + "mark-published/", views.target_mark_published, name="target-mark-published"),
    path(TARGET + "publish-again/", views.target_publish_again, name="target-publish-again"),
    path(TARGET + "skip/", views.target_skip, name="target-skip"),
]
