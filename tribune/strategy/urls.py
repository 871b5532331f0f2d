from django.urls import path

from . import views

urlpatterns = [
    path("w/<slug:slug>/", views.overview, name="workspace-overview"),
    path("w/<slug:slug>/personas/", views.persona_list, name="persona-list"),
    path("w/<slug:slug>/personas/new/", views.persona_edit, name="persona-create"),
    path("w/<slug:slug>/personas/<int:persona_id>/", views.persona_detail, name="persona-detail"),
    path("w/<slug:slug>/personas/<int:persona_id>/edit/", views.persona_edit, name="persona-edit"),
    path(
        "w/<slug:slug>/personas/<int:persona_id>/delete/",
        views.persona_delete,
        name="persona-delete",
    ),
]

from . import views_pending  # noqa: E402  (temporary, see views_pending)

urlpatterns += [
    path("w/<slug:slug>/objectives/", views_pending.pending, name="objective-list"),
    path("w/<slug:slug>/networks/", views_pending.pending, name="network-list"),
    path("w/<slug:slug>/plan/", views_pending.pending, name="plan"),
]
