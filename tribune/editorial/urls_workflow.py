from django.urls import path

from . import views_notifications, views_preview, views_workflow

POST = "w/<slug:slug>/posts/<int:post_id>/"

urlpatterns = [
    path(POST + "workflow/", views_workflow.post_workflow, name="post-workflow"),
    path(POST + "transition/", views_workflow.post_transition, name="post-transition"),
    path(POST + "schedule/", views_workflow.post_schedule, name="post-schedule"),
    path(POST + "comments/", views_workflow.post_comments, name="post-comments"),
    path(POST + "previews/", views_workflow.preview_link_create, name="preview-link-create"),
    path(
        POST + "previews/<int:link_id>/revoke/",
        views_workflow.preview_link_revoke,
        name="preview-link-revoke",
    ),
    path("p/<str:token>/", views_preview.preview, name="preview"),
    path(
        "w/<slug:slug>/notifications/",
        views_notifications.notification_list,
        name="notifications",
    ),
    path(
        "w/<slug:slug>/notifications/read/",
        views_notifications.notification_read,
        name="notifications-read-all",
    ),
    path(
        "w/<slug:slug>/notifications/<int:notification_id>/read/",
        views_notifications.notification_read,
        name="notification-read",
    ),
    path(
        "w/<slug:slug>/approval-policies/",
        views_notifications.policy_list,
        name="approval-policies",
    ),
    path(
        "w/<slug:slug>/approval-policies/new/",
        views_notifications.policy_edit,
        name="approval-policy-create",
    ),
    path(
        "w/<slug:slug>/approval-policies/<int:policy_id>/edit/",
        views_notifications.policy_edit,
        name="approval-policy-edit",
    ),
    path(
        "w/<slug:slug>/approval-policies/<int:policy_id>/delete/",
        views_notifications.policy_delete,
        name="approval-policy-delete",
    ),
]
