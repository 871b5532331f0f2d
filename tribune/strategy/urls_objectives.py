from django.urls import path

from . import views_objectives as views

urlpatterns = [
    path("w/<slug:slug>/objectives/", views.objective_list, name="objective-list"),
    path("w/<slug:slug>/objectives/new/", views.objective_edit, name="objective-create"),
    path(
        "w/<slug:slug>/objectives/<int:objective_id>/",
        views.objective_detail,
        name="objective-detail",
    ),
    path(
        "w/<slug:slug>/objectives/<int:objective_id>/edit/",
        views.objective_edit,
        name="objective-edit",
    ),
    path(
        "w/<slug:slug>/objectives/<int:objective_id>/delete/",
        views.objective_delete,
        name="objective-delete",
    ),
]
