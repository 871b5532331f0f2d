"""The import page, the job page with its progress bar, and the calendar export."""

import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tribune.editorial import tasks
from tribune.editorial.models import ImportJob, Post, Variant
from tribune.testing.fixtures import set_roles
from tribune.workspaces.roles import Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, text: str, source_format: str = "tribune", networks=()):
    return client.post(
        reverse("import-posts", args=["lumen"]),
        {
            "source_format": source_format,
            "networks": list(networks),
            "day_first": "1",
            "file": SimpleUploadedFile("posts.csv", text.encode(), "text/csv"),
        },
    )


def test_it_shows_the_import_page_to_writers_only(client, alice, bob, charlie):
    url = reverse("import-posts", args=["lumen"])
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200 and b"Import a CSV file" in page.content
    client.force_login(bob)  # an Editor writes posts
    assert client.get(url).status_code == 200
    set_roles(bob, bob.memberships.get().workspace, Role.ANALYST)
    assert client.get(url).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_it_imports_a_small_file_during_the_request(client, alice):
    client.force_login(alice)
    response = _upload(client, "text,networks\nHello,linkedin\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-job", args=["lumen", job.pk])
    assert job.status == "done" and Post.objects.count() == 1
    page = client.get(response["Location"])
    assert b"1 post imported as a draft" in page.content
    assert b"hx-trigger" not in page.content  # finished: no more polling


def test_it_lists_each_bad_row_with_its_line_and_column(client, alice):
    client.force_login(alice)
    text = "31/03/2026 09:30,Fine\n99/99/2026 09:30,Bad\n"
    response = _upload(client, text, "hootsuite", ["x"])
    page = client.get(response["Location"])
    assert Post.objects.count() == 0
    content = page.content.decode()
    assert "Nothing was imported" in content
    assert '<th scope="row">2</th>' in content and "column A (date)" in content


def test_it_runs_a_large_file_in_the_background_with_a_progress_bar(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    text = "text,networks\n" + "".join(f"Post {i},x\n" for i in range(250))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(client, text)
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, len(callbacks)) == ("queued", 250, 1)
    page = client.get(response["Location"], headers={"HX-Request": "true"})
    content = page.content.decode()
    assert 'role="progressbar"' in content and 'aria-valuenow="0"' in content
    assert 'hx-trigger="every 1s"' in content and "<html" not in content
    # What the worker runs once the request has committed:
    assert tasks.run_import.call_local(job.pk, [], True) == "done"
    assert Post.objects.count() == 250 and Variant.objects.count() == 250
    page = client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"250 posts imported as drafts" in page.content and b"hx-trigger" not in page.content


def test_it_shows_a_refused_file_on_the_form(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("import-posts", args=["lumen"]),
        {
            "source_format": "tribune",
            "day_first": "1",
            "file": SimpleUploadedFile("posts.csv", "é".encode("latin-1")),
        },
    )
    assert response.status_code == 200 and "UTF-8" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_hides_another_workspaces_job(client, alice, charlie):
    client.force_login(alice)
    response = _upload(client, "text,networks\nHello,linkedin\n")
    client.force_login(charlie)
    assert client.get(response["Location"]).status_code == 404


@pytest.fixture
def planned(workspace, alice):
    post = Post.objects.create(
        workspace=workspace,
        title="Launch",
        body="=SUM(A1) is not a formula",
        scheduled_at=datetime(2026, 3, 31, 7, 30, tzinfo=UTC),
        tags=["promo"],
    )
    Variant.objects.create(post=post, network="linkedin", text=post.body, link="https://e.org")
    Variant.objects.create(post=post, network="x", text="Short")
    Post.objects.create(
        workspace=workspace, title="Out", scheduled_at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    return post


def test_it_exports_a_range_as_csv_that_imports_back(client, alice, planned):
    client.force_login(alice)
    url = reverse("export-posts", args=["lumen"])
    response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"})
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    lines = text.splitlines()
    assert lines[0].endswith("tags,text:linkedin,text:x")
    assert len(lines) == 2 and "2026-03-31 09:30" in lines[1] and "'=SUM" in lines[1]
    Post.objects.all().delete()
    _upload(client, text)
    again = Post.objects.get()
    assert again.body == "=SUM(A1) is not a formula"
    assert dict(again.variants.values_list("network", "text")) == {
        "linkedin": "=SUM(A1) is not a formula",
        "x": "Short",
    }
    assert again.scheduled_at == planned.scheduled_at


def test_it_exports_json(client, bob, planned):
    set_roles(bob, planned.workspace, Role.GUEST)  # reading the calendar is enough
    client.force_login(bob)
    response = client.get(
        reverse("export-posts", args=["lumen"]),
        {"start": "2026-03-01", "end": "2026-03-31", "format": "json"},
    )
    document = json.loads(b"".join(response.streaming_content))
    assert document["time_zone"] == "Europe/Paris"
    [post] = document["posts"]
    assert post["scheduled_local"] == "2026-03-31 09:30"
    assert [v["network"] for v in post["variants"]] == ["linkedin", "x"]


def test_it_refuses_a_reversed_range_and_hides_exports_from_outsiders(client, alice, charlie):
    client.force_login(alice)
    url = reverse("export-posts", args=["lumen"])
    assert client.get(url, {"start": "2026-03-31", "end": "2026-03-01"}).status_code == 400
    client.force_login(charlie)
    assert client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).status_code == 404


def test_it_exports_without_a_query_per_post(
    client, alice, workspace, django_assert_max_num_queries
):
    for i in range(30):
        post = Post.objects.create(
            workspace=workspace, title=f"P{i}", scheduled_at=datetime(2026, 3, 2, tzinfo=UTC)
        )
        Variant.objects.create(post=post, network="x", text="t")
    client.force_login(alice)
    url = reverse("export-posts", args=["lumen"])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "json"})
        assert len(json.loads(b"".join(response.streaming_content))["posts"]) == 30
