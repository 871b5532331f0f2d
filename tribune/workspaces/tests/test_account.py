import hashlib

from django.conf import settings
from django.urls import reverse

from tribune.workspaces.actions import authenticate_api_token
from tribune.workspaces.models import ApiToken


def test_it_shows_a_new_token_once_and_stores_its_hash(client, alice):
    client.force_login(alice)
    response = client.post(reverse("account"), {"name": "reporting script"})
    clear = response.context["new_token"]
    assert clear.startswith("trb_")
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert clear not in (token.prefix + token.name)
    assert authenticate_api_token(clear) == alice
    assert client.get(reverse("account")).context["new_token"] is None


def test_it_revokes_a_token(client, alice, bob):
    client.force_login(alice)
    clear = client.post(reverse("account"), {"name": "x"}).context["new_token"]
    token = ApiToken.objects.get()
    client.force_login(bob)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert authenticate_api_token(clear) == alice
    client.force_login(alice)
    client.post(reverse("api-token-revoke", args=[token.pk]))
    assert authenticate_api_token(clear) is None


def test_it_saves_the_chosen_language(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set-language"), {"language": "fr", "next": "/account/"})
    assert response.headers["Location"] == "/account/"
    alice.refresh_from_db()
    assert alice.language == "fr"
    page = client.get(reverse("account"))
    assert page.headers["Content-Language"] == "fr"


def test_it_refuses_an_open_redirect(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("set-language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_it_locks_out_after_repeated_failed_logins(client, alice):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(url, {"username": "alice", "password": "password-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "password-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_it_requires_csrf_on_forms(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(reverse("account"), {"name": "x"}).status_code == 403


def test_it_sets_safe_cookie_flags():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"
