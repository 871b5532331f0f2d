from django.urls import path

from . import views_reports as views

BASE = "w/<slug:slug>/analytics/reports/"

urlpatterns = [
    path(BASE, views.report_list, name="report-list"),
    path(f"{BASE}templates/new/", views.template_edit, name="report-template-create"),
    path(f"{BASE}templates/preview/", views.template_preview, name="report-template-preview-new"),
    path(
        f"{BASE}templates/<int:template_id>/",
        views.template_edit,
        name="report-template-edit",
    ),
    path(
        f"{BASE}templates/<int:template_id>/delete/",
        views.template_delete,
        name="report-template-delete",
    ),
    path(
        f"{BASE}templates/<int:template_id>/preview/",
        views.template_preview,
        name="report-template-preview",
    ),
    path(f"{BASE}schedules/new/", views.schedule_edit, name="report-schedule-create"),
    path(
        f"{BASE}schedules/<int:schedule_id>/",
        views.schedule_edit,
        name="report-schedule-edit",
    ),
    path(
        f"{BASE}schedules/<int:schedule_id>/delete/",
        views.schedule_delete,
        name="report-schedule-delete",
    ),
    path(
        f"{BASE}schedules/<int:schedule_id>/send/",
        views.schedule_send,
        name="report-schedule-send",
    ),
    path(
        f"{BASE}schedules/<int:schedule_id>/preview/",
        views.schedule_preview,
        name="report-schedule-preview",
    ),
    path(f"{BASE}comments/new/", views.comment_edit, name="report-comment-create"),
    path(f"{BASE}comments/<int:comment_id>/", views.comment_edit, name="report-comment-edit"),
    path(
        f"{BASE}comments/<int:comment_id>/delete/",
        views.comment_delete,
        name="report-comment-delete",
    ),
    path(f"{BASE}runs/<int:run_id>/pdf/", views.run_file, {"kind": "pdf"}, name="report-run-pdf"),
    path(
        f"{BASE}runs/<int:run_id>/html/", views.run_file, {"kind": "html"}, name="report-run-html"
    ),
]
