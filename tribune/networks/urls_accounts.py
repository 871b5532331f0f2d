from django.urls import path

from . import views_accounts as views

urlpatterns = [
    path("w/<slug:slug>/accounts/", views.account_list, name="account-list"),
    path("w/<slug:slug>/accounts/connect/", views.account_connect, name="account-connect"),
    # Before <network>: "reminder" is not a network key.
    path(
        "w/<slug:slug>/accounts/connect/reminder/",
        views.account_connect_reminder,
        name="account-connect-reminder",
    ),
    path(
        "w/<slug:slug>/accounts/connect/<slug:network>/",
        views.account_connect_network,
        name="account-connect-network",
    ),
    path(
        "w/<slug:slug>/accounts/<int:account_id>/check/",
        views.account_check,
        name="account-check",
    ),
    path(
        "w/<slug:slug>/accounts/<int:account_id>/disconnect/",
        views.account_disconnect,
        name="account-disconnect",
    ),
    # One callback for every workspace: it is the redirect address registered with networks.
    path("oauth/callback/", views.oauth_callback, name="account-oauth-callback"),
]
