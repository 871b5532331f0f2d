"""Reminder publishing: the person told to post by hand gets a page with everything to copy,
then says it is posted (or skips it), which settles the target and the post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.editorial.choices import PostState
from tribune.editorial.models import MediaAsset, Notification, VariantMedia
from tribune.editorial.tests.workflow_support import english, huey_immediate  # noqa: F401
from tribune.publishing.engine import drain
from tribune.publishing.models import TargetState
from tribune.testing.fixtures import set_roles

from .support import make_account, scheduled_post, targets

pytestmark = pytest.mark.usefixtures("english")


def by_hand(workspace, author, **variant_fields):
    """An Instagram post due now on an account published by hand, past its due time."""
    account = make_account(workspace, "instagram", mode="reminder", remote_id="ig-1")
    post = scheduled_post(workspace, author, [account], networks=("instagram",))
    if variant_fields:
        post.variants.update(**variant_fields)
    drain(account.pk)
    [target] = targets(post)
    return post, target


def reminder_url(target) -> str:
    return reverse("publishing-reminder", args=[target.workspace.slug, target.pk])


def attach(variant, name: str, alt: str, network_alt: str = "") -> MediaAsset:
    media = MediaAsset.objects.create(
        workspace=variant.post.workspace,
        file=f"media/{name}",
        original_name=name,
        kind="image",
        mime_type="image/jpeg",
        size_bytes=1000,
        alt_text=alt,
    )
    position = VariantMedia.objects.filter(variant=variant).count()
    VariantMedia.objects.create(
        variant=variant, media=media, position=position, alt_text=network_alt
    )
    return media


@pytest.mark.usefixtures("huey_immediate")
def test_it_waits_for_a_person_and_tells_the_publishers(
    workspace, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post, target = by_hand(workspace, alice)
    assert target.state == TargetState.AWAITING
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING
    note = Notification.objects.get(kind="publish_by_hand")
    assert note.url == reminder_url(target)
    assert "by hand" in note.text and mailoutbox and reminder_url(target) in mailoutbox[0].body


def test_it_shows_the_text_ready_to_copy_and_each_media_with_its_alt_text(client, workspace, alice):
    post, target = by_hand(
        workspace, alice, text="Spring workshop <on Monday> & more", hashtags=["lumen"]
    )
    variant = post.variants.get()
    lamp = attach(variant, "lamp.jpg", "A brass lamp")
    desk = attach(variant, "desk.jpg", "An oak desk", network_alt="Oak desk, seen from above")
    client.force_login(alice)
    response = client.get(reminder_url(target))
    body = response.content.decode()
    assert response.status_code == 200
    # Exactly the text that goes out (hashtags appended), escaped once in the textarea.
    assert (
        '<textarea id="reminder-text" readonly rows="8">'
        "Spring workshop &lt;on Monday&gt; &amp; more\n#lumen</textarea>"
    ) in body
    assert 'data-copy="reminder-text" hidden' in body and "navigator.clipboard" in body
    for media in (lamp, desk):
        link = reverse("media-file", args=[workspace.slug, media.pk])
        assert f'href="{link}" download="{media.original_name}"' in body
    assert "A brass lamp" in body and "Oak desk, seen from above" in body
    assert "Instagram" in body and "Lumen on instagram" in body
    assert 'name="url"' in body and "I posted it" in body and 'name="reason"' in body


def test_it_offers_the_thread_parts_and_the_first_comment(client, workspace, alice):
    post, target = by_hand(
        workspace, alice, options={"thread": ["Part two text"]}, first_comment="Link in bio"
    )
    client.force_login(alice)
    body = client.get(reminder_url(target)).content.decode()
    assert 'id="reminder-part-2"' in body and "Part two text" in body
    assert 'id="reminder-comment"' in body and "Link in bio" in body


def test_it_is_made_for_a_narrow_screen(client, workspace, alice):
    post, target = by_hand(workspace, alice)
    client.force_login(alice)
    body = client.get(reminder_url(target)).content.decode()
    assert 'name="viewport" content="width=device-width' in body
    assert "min-height: 3rem" in body and ".reminder button" in body


def test_it_settles_the_target_when_the_person_posted_it(client, workspace, alice):
    post, target = by_hand(workspace, alice)
    client.force_login(alice)
    url = "https://www.instagram.com/p/Cabc123/"
    response = client.post(
        reverse("target-mark-published", args=[workspace.slug, target.pk]),
        {"url": url, "next": reminder_url(target)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reminder_url(target)
    body = response.content.decode()
    assert "Marked as published." in body and f'href="{url}"' in body
    assert "I posted it" not in body
    target.refresh_from_db()
    post.refresh_from_db()
    assert (target.state, target.url) == (TargetState.PUBLISHED, url)
    assert post.state == PostState.PUBLISHED
    assert target.decided_by == alice


def test_it_skips_it_with_a_reason(client, workspace, alice):
    post, target = by_hand(workspace, alice)
    client.force_login(alice)
    client.post(
        reverse("target-skip", args=[workspace.slug, target.pk]),
        {"reason": "Not on brand for Instagram", "next": reminder_url(target)},
    )
    target.refresh_from_db()
    assert target.state == TargetState.SKIPPED and target.message == "Not on brand for Instagram"


@pytest.mark.parametrize("url", ["", "not an address", "ftp://files.example/p", "javascript:x()"])
def test_it_refuses_an_address_that_is_not_a_web_page(client, workspace, alice, url):
    post, target = by_hand(workspace, alice)
    client.force_login(alice)
    response = client.post(
        reverse("target-mark-published", args=[workspace.slug, target.pk]),
        {"url": url, "next": reminder_url(target)},
        follow=True,
    )
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING


def test_it_lets_members_read_it_but_only_publishers_act(client, workspace, alice, bob):
    post, target = by_hand(workspace, alice)
    set_roles(bob, workspace, "guest")
    client.force_login(bob)
    body = client.get(reminder_url(target)).content.decode()
    assert "Our spring workshop opens on Monday." in body and "I posted it" not in body
    response = client.post(
        reverse("target-mark-published", args=[workspace.slug, target.pk]),
        {"url": "https://www.instagram.com/p/x/"},
    )
    assert response.status_code == 403
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["linkedin"]})
    assert "I posted it" not in client.get(reminder_url(target)).content.decode()
    response = client.post(
        reverse("target-skip", args=[workspace.slug, target.pk]), {"reason": "not mine"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING


def test_it_hides_the_reminder_from_other_workspaces(client, workspace, alice, charlie):
    post, target = by_hand(workspace, alice)
    client.force_login(charlie)
    assert client.get(reminder_url(target)).status_code == 404
    assert client.get(reverse("publishing-reminder", args=["other", target.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("publishing-reminder", args=["lumen", 99999])).status_code == 404
