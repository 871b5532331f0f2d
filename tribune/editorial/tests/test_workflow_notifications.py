"""Notifications: in the app (list, count, mark as read) and by e-mail after commit."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tribune.editorial import workflow
from tribune.editorial.choices import PostState as S
from tribune.editorial.models import Notification
from tribune.editorial.notifications import lazy_text, notify
from tribune.testing.fixtures import make_user
from tribune.workspaces.models import Membership, Workspace

from .workflow_support import access_for, english, huey_immediate, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english", "huey_immediate")


def test_it_creates_a_row_per_member_and_mails_after_commit(
    workspace, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(workspace, [alice, bob, alice], "mention", "Hello", "/w/lumen/")
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert [n.recipient for n in created] == [alice, bob]
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    message = mailoutbox[0]
    assert message.subject == "[Atelier Lumen] Hello"
    assert "http://" in message.body and "/w/lumen/" in message.body


def test_it_sends_no_mail_when_the_change_is_rolled_back(
    workspace, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(workspace, [alice], "mention", "Hello", "")
    assert len(callbacks) == 1 and mailoutbox == []


def test_it_writes_each_notification_in_the_recipients_language(
    workspace, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    bob.language = "fr"
    bob.save()
    # A string the French catalogue already has: a role's name.
    text = lazy_text(gettext_lazy("%(role)s"), {"role": gettext_lazy("Strategist")})
    with django_capture_on_commit_callbacks(execute=True):
        notify(workspace, [alice, bob], "mention", text, "")
    texts = dict(Notification.objects.values_list("recipient__username", "text"))
    assert texts == {"alice": "Strategist", "bob": "Stratège"}
    assert len(mailoutbox) == 2


def test_it_mails_a_review_request_to_the_members_who_can_approve(
    workspace, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    post = make_post(workspace, bob)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert "bob asks for a review" in mailoutbox[0].subject
    assert f"/w/lumen/posts/{post.pk}/workflow/" in mailoutbox[0].body


def test_it_mails_approvals_and_change_requests_to_the_author(
    workspace, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.do_transition(access_for(alice, workspace), post, S.CHANGES_REQUESTED, "Why?")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.do_transition(access_for(alice, workspace), post, S.APPROVED)
    to_bob = [m.subject for m in mailoutbox if m.to == ["bob@example.org"]]
    assert any("requested changes" in s and "Why?" in s for s in to_bob)
    assert any("is approved" in s for s in to_bob)


def list_url(workspace) -> str:
    return reverse("notifications", args=[workspace.slug])


def test_it_lists_only_my_notifications_in_this_workspace(
    client, workspace, alice, bob, charlie, django_assert_max_num_queries
):
    other = Workspace.objects.get(slug="other")
    Membership.objects.create(workspace=other, user=alice, roles=["owner"])
    for n in range(30):
        Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text=f"n{n}")
    Notification.objects.create(workspace=workspace, recipient=bob, kind="k", text="for bob")
    Notification.objects.create(workspace=other, recipient=alice, kind="k", text="elsewhere")
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(list_url(workspace))
    assert response.status_code == 200
    assert b"n29" in response.content and b"30 unread notifications" in response.content
    assert b"for bob" not in response.content and b"elsewhere" not in response.content


@pytest.mark.parametrize("role", ["editor", "approver", "analyst", "guest"])
def test_it_shows_every_member_their_notifications(client, workspace, alice, bob, role):
    Membership.objects.filter(user=bob).update(roles=[role])
    Notification.objects.create(workspace=workspace, recipient=bob, kind="k", text="yours")
    client.force_login(bob)
    response = client.get(list_url(workspace))
    assert response.status_code == 200 and b"yours" in response.content


def test_it_hides_the_list_from_outsiders(client, workspace, alice, charlie):
    client.force_login(charlie)
    assert client.get(list_url(workspace)).status_code == 404
    assert client.post(reverse("notifications-read-all", args=[workspace.slug])).status_code == 404


def test_it_marks_one_as_read_and_opens_it(client, workspace, alice, bob):
    mine = Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text="a")
    theirs = Notification.objects.create(workspace=workspace, recipient=bob, kind="k", text="b")
    client.force_login(alice)
    response = client.post(
        reverse("notification-read", args=[workspace.slug, mine.pk]), {"next": "/w/lumen/"}
    )
    assert response.status_code == 302 and response["Location"] == "/w/lumen/"
    # Someone else's notification is never touched, whatever id is posted.
    client.post(reverse("notification-read", args=[workspace.slug, theirs.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_it_never_redirects_off_site_after_marking_as_read(client, workspace, alice):
    note = Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text="a")
    client.force_login(alice)
    response = client.post(
        reverse("notification-read", args=[workspace.slug, note.pk]),
        {"next": "//evil.example/"},
    )
    assert response["Location"] == list_url(workspace)


def test_it_marks_all_as_read(client, workspace, alice):
    for n in range(3):
        Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text=str(n))
    client.force_login(alice)
    client.post(reverse("notifications-read-all", args=[workspace.slug]))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_it_counts_unread_notifications_for_the_header(workspace, alice, bob):
    Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text="1")
    Notification.objects.create(workspace=workspace, recipient=alice, kind="k", text="2")
    Notification.objects.create(
        workspace=workspace, recipient=alice, kind="k", text="3", read_at=timezone.now()
    )
    Notification.objects.create(workspace=workspace, recipient=bob, kind="k", text="4")
    request = RequestFactory().get("/")
    request.user = alice
    template = Template('{% include "editorial/notifications_badge.html" %}')
    html = template.render(Context({"request": request, "user": alice, "workspace": workspace}))
    assert "/w/lumen/notifications/" in html
    assert ">2<" in html and "unread" in html
    outside = template.render(Context({"request": request, "user": alice, "workspace": None}))
    assert outside.strip() == ""


def test_it_skips_members_without_an_email_address(
    workspace, alice, mailoutbox, django_capture_on_commit_callbacks
):
    quiet = make_user("quiet")
    quiet.email = ""
    quiet.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(workspace, [quiet], "mention", "Hi", "")
    assert Notification.objects.filter(recipient=quiet).exists()
    assert mailoutbox == []
