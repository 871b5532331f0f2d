"""Internal comments on a post, and the @mentions that notify members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.editorial.models import Notification, PostComment
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import AuditEvent, Membership

from .workflow_support import english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def url(workspace, post) -> str:
    return reverse("post-comments", args=[workspace.slug, post.pk])


def test_it_adds_a_comment_and_notifies_the_members_mentioned(client, workspace, alice, bob):
    outsider = make_user("dora")  # not a member: a mention of her notifies nobody
    assert outsider.pk
    post = make_post(workspace, alice)
    client.force_login(alice)
    response = client.post(url(workspace, post), {"body": "@bob can you check the link? @dora."})
    assert response.status_code == 302
    comment = PostComment.objects.get(post=post)
    assert comment.author == alice
    assert [m.user.username for m in comment.mentions.all()] == ["bob"]
    note = Notification.objects.get(kind="mention")
    assert note.recipient == bob and "alice mentioned you" in note.text
    assert note.url.endswith("#comments")
    assert AuditEvent.objects.filter(verb="comment", actor=alice).exists()


def test_it_does_not_notify_the_author_of_their_own_mention(client, workspace, alice):
    post = make_post(workspace, alice)
    client.force_login(alice)
    client.post(url(workspace, post), {"body": "Note to self, @alice."})
    assert PostComment.objects.filter(post=post).count() == 1
    assert not Notification.objects.exists()


def test_it_returns_the_thread_as_a_partial_for_htmx(client, workspace, alice, bob):
    post = make_post(workspace, alice)
    client.force_login(bob)
    response = client.post(url(workspace, post), {"body": "Looks good"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Looks good" in response.content


def test_it_refuses_an_empty_comment(client, workspace, alice):
    post = make_post(workspace, alice)
    client.force_login(alice)
    response = client.post(url(workspace, post), {"body": "   "})
    assert response.status_code == 200
    assert response.context["comment_form"].errors["body"]
    assert not PostComment.objects.exists()


@pytest.mark.parametrize("role", ["owner", "strategist", "editor", "approver"])
def test_it_lets_writers_and_reviewers_comment(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice)
    client.force_login(bob)
    assert client.post(url(workspace, post), {"body": "ok"}).status_code == 302
    assert PostComment.objects.filter(author=bob).exists()


@pytest.mark.parametrize("role", ["publisher", "responder", "moderator", "analyst", "guest"])
def test_it_lets_other_roles_read_but_not_comment(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice)
    PostComment.objects.create(post=post, author=alice, body="First thoughts")
    client.force_login(bob)
    page = client.get(url(workspace, post))
    assert page.status_code == 200 and b"First thoughts" in page.content
    assert b"Add the comment" not in page.content
    assert client.post(url(workspace, post), {"body": "ok"}).status_code == 403
    assert not PostComment.objects.filter(author=bob).exists()


def test_it_hides_comments_from_outsiders(client, workspace, alice, charlie):
    post = make_post(workspace, alice)
    client.force_login(charlie)
    assert client.get(url(workspace, post)).status_code == 404
    assert client.post(url(workspace, post), {"body": "hi"}).status_code == 404
    assert not PostComment.objects.exists()


def test_it_lists_comments_in_a_bounded_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    post = make_post(workspace, alice)
    for n in range(20):
        user = make_user(f"writer{n}")
        Membership.objects.create(workspace=workspace, user=user, roles=["editor"])
        PostComment.objects.create(post=post, author=user, body=f"comment {n}")
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(url(workspace, post))
    assert response.content.count(b"comment ") >= 20
