from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("language/", views.set_language, name="set-language"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("w/new/", views.workspace_create, name="workspace-create"),
    path("w/<slug:slug>/settings/", views.workspace_settings, name="workspace-settings"),
    path("w/<slug:slug>/team/", views.team, name="team"),
    path("w/<slug:slug>/team/<int:member_id>/", views.member_edit, name="member-edit"),
    path("w/<slug:slug>/team/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path("w/<slug:slug>/team/invite/", views.invitation_create, name="invitation-create"),
    path(
        "w/<slug:slug>/team/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("w/<slug:slug>/audit/", views.audit_log, name="audit-log"),
]
