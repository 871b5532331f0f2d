from django.urls import path

from . import views_imports as views

urlpatterns = [
    path("w/<slug:slug>/posts/import/", views.import_posts, name="import-posts"),
    path("w/<slug:slug>/imports/<int:job_id>/", views.import_job, name="import-job"),
    path("w/<slug:slug>/posts/export/", views.export_posts, name="export-posts"),
]
