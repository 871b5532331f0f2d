from django.urls import path

from . import views_networks as views

urlpatterns = [
    path("w/<slug:slug>/networks/", views.network_list, name="network-list"),
    path("w/<slug:slug>/networks/catalog/", views.network_catalog, name="network-catalog"),
    path("w/<slug:slug>/networks/add/", views.network_edit, name="network-add"),
    path("w/<slug:slug>/networks/<int:choice_id>/edit/", views.network_edit, name="network-edit"),
    path(
        "w/<slug:slug>/networks/<int:choice_id>/delete/",
        views.network_delete,
        name="network-delete",
    ),
    path("w/<slug:slug>/networks/<int:choice_id>/policy/", views.policy_edit, name="policy-edit"),
    path(
        "w/<slug:slug>/networks/recommendations/<int:persona_id>/<slug:network>/",
        views.network_decide,
        name="network-decide",
    ),
]
