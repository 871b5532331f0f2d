"""The media library's pages, actions and file serving, role by role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from tribune.editorial.actions_media import do_delete_media, do_upload_media
from tribune.editorial.models import MediaAsset, Post, Variant, VariantMedia
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import Access
from tribune.workspaces.models import AuditEvent, Membership
from tribune.workspaces.roles import Role

from .media_samples import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def access_of(user, workspace) -> Access:
    return Access(workspace, Membership.objects.get(user=user, workspace=workspace))


def add_media(user, workspace, name: str = "photo.png", alt: str = "A red square") -> MediaAsset:
    return do_upload_media(access_of(user, workspace), upload(image_bytes(), name), alt)


def url(name: str, workspace, *args) -> str:
    return reverse(name, args=[workspace.slug, *args])


# --- upload --------------------------------------------------------------------


def test_it_uploads_checks_and_thumbnails_an_image(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        url("media-upload", workspace),
        {
            "file": upload(image_bytes("JPEG", (300, 200)), "Été.jpg", "image/jpeg"),
            "alt_text": " A dog ",
        },
    )
    assert response.status_code == 302
    media = MediaAsset.objects.get()
    assert (media.workspace, media.kind, media.mime_type) == (workspace, "image", "image/jpeg")
    assert (media.width, media.height, media.alt_text) == (300, 200, "A dog")
    assert media.original_name == "Été.jpg"
    # Stored under a random name, never the one the browser sent.
    assert "Été" not in media.file.name and media.file.name.endswith(".jpg")
    assert default_storage.exists(media.file.name) and default_storage.exists(media.thumbnail.name)
    assert AuditEvent.objects.filter(verb="upload", object_id=str(media.pk)).exists()


def test_it_requires_alt_text(client, workspace, alice, media_root):
    client.force_login(alice)
    response = client.post(
        url("media-upload", workspace), {"file": upload(image_bytes()), "alt_text": "   "}
    )
    assert response.status_code == 400
    assert not MediaAsset.objects.exists()
    assert not any(media_root.rglob("*.png"))


def test_it_shows_why_a_file_is_refused_and_keeps_nothing(client, workspace, alice, media_root):
    client.force_login(alice)
    response = client.post(
        url("media-upload", workspace),
        {"file": upload(image_bytes("PNG"), "photo.jpg", "image/jpeg"), "alt_text": "x"},
    )
    assert response.status_code == 400
    assert "image/png" in response.content.decode()
    assert not MediaAsset.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_it_lets_writers_upload_and_no_one_else(client, workspace, alice, bob, charlie):
    for user, status in [(alice, 200), (bob, 200), (charlie, 404)]:
        client.force_login(user)
        assert client.get(url("media-upload", workspace)).status_code == status
    for role in (Role.APPROVER, Role.PUBLISHER, Role.ANALYST, Role.GUEST):
        set_roles(bob, workspace, role)
        client.force_login(bob)
        assert client.get(url("media-upload", workspace)).status_code == 403
        with pytest.raises(PermissionDenied):
            add_media(bob, workspace)


def test_it_answers_the_composer_with_the_picker_and_the_new_media_ticked(client, workspace, bob):
    client.force_login(bob)
    response = client.post(
        url("media-upload", workspace),
        {"file": upload(image_bytes()), "alt_text": "Chart"},
        HTTP_HX_REQUEST="true",
    )
    media = MediaAsset.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{media.pk}" id="media-choice-{media.pk}" checked' in html
    assert "<html" not in html


# --- list ------------------------------------------------------------------------


def test_it_lists_media_to_every_member_with_a_bounded_number_of_queries(
    client, workspace, alice, bob, charlie, django_assert_max_num_queries
):
    for i in range(6):
        add_media(alice, workspace, f"p{i}.png", f"Picture {i}")
    set_roles(bob, workspace, Role.GUEST)
    client.force_login(bob)
    with django_assert_max_num_queries(8):
        response = client.get(url("media-list", workspace))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('alt="Picture') == 6
    assert "Delete" not in html  # a guest reads, does not write
    client.force_login(charlie)
    assert client.get(url("media-list", workspace)).status_code == 404


def test_it_filters_by_kind_and_text(client, workspace, alice):
    add_media(alice, workspace, "dog.png", "A dog")
    add_media(alice, workspace, "cat.png", "A cat")
    client.force_login(alice)
    html = client.get(url("media-list", workspace), {"q": "dog"}).content.decode()
    assert "dog.png" in html and "cat.png" not in html
    html = client.get(url("media-list", workspace), {"kind": "video"}).content.decode()
    assert "dog.png" not in html


# --- alt text, delete --------------------------------------------------------------


def test_it_edits_alt_text_and_refuses_an_empty_one(client, workspace, alice, bob, charlie):
    media = add_media(alice, workspace)
    client.force_login(bob)
    response = client.post(
        url("media-edit", workspace, media.pk), {"alt_text": "Red square on white"}
    )
    assert response.status_code == 302
    media.refresh_from_db()
    assert media.alt_text == "Red square on white"
    assert client.post(url("media-edit", workspace, media.pk), {"alt_text": ""}).status_code == 200
    media.refresh_from_db()
    assert media.alt_text == "Red square on white"
    client.force_login(charlie)
    assert client.post(url("media-edit", workspace, media.pk), {"alt_text": "x"}).status_code == 404


def make_variant(workspace, media: MediaAsset) -> Variant:
    post = Post.objects.create(workspace=workspace, title="Launch")
    variant = Variant.objects.create(post=post, network="bluesky", text="Hello")
    VariantMedia.objects.create(variant=variant, media=media)
    return variant


def test_it_deletes_unused_media_and_its_files(
    client, workspace, alice, django_capture_on_commit_callbacks
):
    media = add_media(alice, workspace)
    names = [media.file.name, media.thumbnail.name]
    client.force_login(alice)
    assert client.get(url("media-delete", workspace, media.pk)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("media-delete", workspace, media.pk))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the files go only once the deletion is committed
    assert not MediaAsset.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    assert AuditEvent.objects.filter(verb="delete", object_type="mediaasset").exists()


def test_it_refuses_to_delete_media_a_variant_uses(client, workspace, alice):
    media = add_media(alice, workspace)
    make_variant(workspace, media)
    with pytest.raises(ValidationError) as caught:
        do_delete_media(access_of(alice, workspace), media)
    assert caught.value.code == "in_use"
    client.force_login(alice)
    response = client.post(url("media-delete", workspace, media.pk), follow=True)
    assert "1 post variant uses this media" in response.content.decode()
    assert MediaAsset.objects.filter(pk=media.pk).exists()
    assert default_storage.exists(media.file.name)


def test_it_hides_other_workspaces_media(client, workspace, alice, charlie):
    media = add_media(alice, workspace)
    client.force_login(charlie)
    other = Membership.objects.get(user=charlie).workspace
    for name in ("media-edit", "media-file", "media-thumbnail"):
        assert client.get(url(name, other, media.pk)).status_code == 404
    assert client.post(url("media-delete", other, media.pk)).status_code == 404
    assert MediaAsset.objects.filter(pk=media.pk).exists()


# --- serving ---------------------------------------------------------------------


def test_it_serves_files_to_members_only(client, workspace, alice, bob, charlie):
    media = add_media(alice, workspace)
    set_roles(bob, workspace, Role.GUEST)
    client.force_login(bob)
    response = client.get(url("media-file", workspace, media.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == image_bytes()
    thumb = client.get(url("media-thumbnail", workspace, media.pk))
    assert thumb["Content-Type"] == "image/jpeg"
    assert b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(charlie)
    assert client.get(url("media-file", workspace, media.pk)).status_code == 404
    client.logout()
    anonymous = client.get(url("media-file", workspace, media.pk))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_it_answers_404_when_the_stored_file_is_gone(client, workspace, alice):
    media = add_media(alice, workspace)
    default_storage.delete(media.file.name)
    client.force_login(alice)
    assert client.get(url("media-file", workspace, media.pk)).status_code == 404


# --- picker ----------------------------------------------------------------------


def test_it_gives_the_composer_a_picker_of_checkboxes(client, workspace, alice, bob, charlie):
    first = add_media(alice, workspace, "dog.png", "A dog")
    second = add_media(alice, workspace, "cat.png", "A cat")
    client.force_login(bob)
    response = client.get(
        url("media-picker", workspace),
        {"media_q": "cat", "media": [first.pk]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'name="media"' in html and "<html" not in html
    # The search finds the cat; the ticked dog stays listed and ticked.
    assert f'value="{second.pk}" id="media-choice-{second.pk}" >' in html
    assert f'value="{first.pk}" id="media-choice-{first.pk}" checked' in html
    full = client.get(url("media-picker", workspace)).content.decode()
    assert "<html" in full and "dog.png" in full
    set_roles(bob, workspace, Role.GUEST)
    assert client.get(url("media-picker", workspace)).status_code == 403
    client.force_login(charlie)
    assert client.get(url("media-picker", workspace)).status_code == 404
