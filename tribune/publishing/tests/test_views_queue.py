"""The publishing list and the late banner (on the list and on the calendar)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.editorial.tests.workflow_support import english  # noqa: F401
from tribune.publishing.engine import drain
from tribune.publishing.models import Target
from tribune.publishing.sweeper import LATE_AFTER
from tribune.testing.fixtures import set_roles

from .support import make_account, scheduled_post, targets

pytestmark = pytest.mark.usefixtures("english")


def queue_url(workspace) -> str:
    return reverse("publishing-queue", args=[workspace.slug])


def late_url(workspace) -> str:
    return reverse("publishing-late", args=[workspace.slug])


def titled(post, title: str):
    post.title = title
    post.save(update_fields=["title"])
    return post


def late_post(workspace, author, account, minutes: int = 30, title: str = "Spring workshop"):
    """A post due `minutes` ago that no worker picked up."""
    due = timezone.now() - timedelta(minutes=minutes)
    return titled(scheduled_post(workspace, author, [account], due=due), title)


def test_it_lists_what_waits_for_a_person_before_what_is_coming(client, workspace, alice, network):
    account = make_account(workspace)
    hand = make_account(workspace, "instagram", mode="reminder", remote_id="ig-1")
    later = timezone.now() + timedelta(hours=3)
    coming = titled(scheduled_post(workspace, alice, [account], due=later), "Coming soon")
    failing = titled(scheduled_post(workspace, alice, [account]), "Refused one")
    by_hand = titled(
        scheduled_post(workspace, alice, [hand], networks=("instagram",)), "By hand one"
    )
    network.answers = [httpx.Response(422, json={"error": "Too long"})]
    drain(account.pk)
    drain(hand.pk)
    client.force_login(alice)
    body = client.get(queue_url(workspace)).content.decode()
    waiting, upcoming = body.split("Coming up", 1)
    assert "Refused one" in waiting and "By hand one" in waiting
    assert "Coming soon" in upcoming and "Coming soon" not in waiting
    [target] = targets(by_hand)
    assert reverse("publishing-reminder", args=[workspace.slug, target.pk]) in waiting
    assert "Edit the text for this network, then retry." in waiting
    assert reverse("post-publishing", args=[workspace.slug, failing.pk]) in waiting
    assert reverse("post-publishing", args=[workspace.slug, coming.pk]) in upcoming


def test_it_shows_the_late_banner_when_no_worker_published_in_time(client, workspace, alice):
    account = make_account(workspace)
    first = late_post(workspace, alice, account, minutes=45)
    late_post(workspace, alice, account, minutes=10)
    client.force_login(alice)
    body = client.get(queue_url(workspace)).content.decode()
    assert "2 publications are late: no worker seems to be running." in body
    assert "Start <code>tribune worker</code>" in body
    oldest = timezone.localtime(targets(first)[0].due_at).isoformat()
    assert f'The oldest was due at <time datetime="{oldest}"' in body


def test_it_shows_no_banner_when_publications_are_on_time(client, workspace, alice):
    account = make_account(workspace)
    # Due a moment ago: within LATE_AFTER a worker may still be picking it up.
    scheduled_post(workspace, alice, [account], due=timezone.now() - LATE_AFTER / 2)
    client.force_login(alice)
    assert "late-banner" not in client.get(queue_url(workspace)).content.decode()
    response = client.get(late_url(workspace), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_it_loads_the_late_banner_on_the_calendar(client, workspace, alice):
    account = make_account(workspace)
    late_post(workspace, alice, account)
    client.force_login(alice)
    page = client.get(reverse("calendar", args=[workspace.slug])).content.decode()
    assert f'hx-get="{late_url(workspace)}"' in page
    banner = client.get(late_url(workspace), HTTP_HX_REQUEST="true").content.decode()
    assert "1 publication is late" in banner and 'role="alert"' in banner


def test_it_counts_only_this_workspace_s_late_publications(client, workspace, alice, charlie):
    account = make_account(workspace)
    late_post(workspace, alice, account)
    assert Target.objects.count() == 1
    client.force_login(charlie)
    response = client.get(reverse("publishing-late", args=["other"]))
    assert response.status_code == 200 and "late-banner" not in response.content.decode()
    assert client.get(queue_url(workspace)).status_code == 404
    assert client.get(late_url(workspace)).status_code == 404


@pytest.mark.parametrize("role", ["guest", "analyst", "editor", "publisher"])
def test_it_shows_the_list_to_every_member(client, workspace, alice, bob, role):
    account = make_account(workspace)
    late_post(workspace, alice, account, title="Late one")
    set_roles(bob, workspace, role)
    client.force_login(bob)
    response = client.get(queue_url(workspace))
    assert response.status_code == 200 and "Late one" in response.content.decode()


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    account = make_account(workspace)
    for n in range(8):
        scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(hours=n + 1))
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(queue_url(workspace))
    assert response.content.decode().count('class="card"') == 8


def test_it_polls_the_list_while_a_publication_is_due_soon(client, workspace, alice):
    account = make_account(workspace)
    scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(minutes=3))
    client.force_login(alice)
    response = client.get(queue_url(workspace), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert b"<html" not in response.content and 'hx-trigger="every 5s"' in body
