from django.urls import include, path

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

# Each area of the strategy has its own url module, views module and actions module.
urlpatterns += [
    path("", include("tribune.strategy.urls_objectives")),
    path("", include("tribune.strategy.urls_networks")),
    path("", include("tribune.strategy.urls_plan")),
]
