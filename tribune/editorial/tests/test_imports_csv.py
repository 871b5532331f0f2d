"""CSV import: Tribune's format, Hootsuite's and Buffer's, row errors, nothing half-imported."""

from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile

from tribune.editorial import actions_imports, imports
from tribune.editorial.models import ContentPillar, ImportJob, Post, Variant
from tribune.strategy.models import Objective, Persona
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Role


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _job(workspace, user, source_format: str, text: str) -> ImportJob:
    access = access_workspace(user, workspace.slug)
    return actions_imports.do_start_import(
        access, text.encode(), f"{source_format}.csv", source_format
    )


def _run(workspace, user, source_format, text, networks=(), day_first=True) -> ImportJob:
    job = _job(workspace, user, source_format, text)
    return actions_imports.run_job(job.pk, tuple(networks), day_first)


TRIBUNE_OK = (
    "date,title,text,networks,link,persona,pillar,objectives,format,tags,text:x\n"
    '2026-03-31 09:30,Spring launch,Our spring range is out,"linkedin, x",'
    'https://example.org/spring,Camille,Product,Visibility,sponsored,"promo, spring",Short for X\n'
    ",,An idea for later,bluesky,,,,,,,\n"
)


@pytest.fixture
def strategy(workspace):
    persona = Persona.objects.create(workspace=workspace, name="Camille")
    pillar = ContentPillar.objects.create(workspace=workspace, name="Product", target_share=40)
    objective = Objective.objects.create(
        workspace=workspace,
        title="Visibility",
        lever="visibility",
        kpi="audience",
        baseline=1,
        target=2,
        deadline="2026-12-31",
    )
    return persona, pillar, objective


def test_it_imports_tribune_rows_with_a_variant_per_network(workspace, alice, strategy):
    persona, pillar, objective = strategy
    job = _run(workspace, alice, imports.TRIBUNE, TRIBUNE_OK)
    assert (job.status, job.created_posts, job.errors) == ("done", 2, [])
    post = Post.objects.get(title="Spring launch")
    # 09:30 in Paris on 31 March 2026 (summer time, UTC+2) is 07:30 UTC.
    assert post.scheduled_at == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)
    assert (post.persona, post.pillar, post.format) == (persona, pillar, "sponsored")
    assert list(post.objectives.all()) == [objective]
    assert post.tags == ["promo", "spring"]
    assert post.state == "draft" and post.author == alice
    texts = dict(post.variants.values_list("network", "text"))
    assert texts == {"linkedin": "Our spring range is out", "x": "Short for X"}
    assert set(post.variants.values_list("link", flat=True)) == {"https://example.org/spring"}
    later = Post.objects.get(body="An idea for later")
    assert later.scheduled_at is None and later.title == "An idea for later"


def test_it_reports_every_bad_cell_and_creates_nothing(workspace, alice, strategy):
    text = (
        "date,text,networks,link,persona\n"
        "2026-03-31 09:30,Fine row,linkedin,,\n"
        "31/03/2026,Bad date,linkedin,,\n"
        "2026-04-01 10:00,Bad network,myspace,not a link,Nobody\n"
        "2026-04-01 10:00,,linkedin,,\n"
    )
    job = _run(workspace, alice, imports.TRIBUNE, text)
    assert job.status == "failed"
    assert Post.objects.count() == 0 and Variant.objects.count() == 0
    found = {(e["line"], e["column"]) for e in job.errors}
    assert found == {(3, "date"), (4, "networks"), (4, "link"), (4, "persona"), (5, "text")}
    assert any("myspace" in e["message"] for e in job.errors)


def test_it_refuses_a_time_skipped_by_daylight_saving(workspace, alice):
    # 29 March 2026, 02:30 does not exist in Europe/Paris: clocks go from 02:00 to 03:00.
    job = _run(workspace, alice, imports.TRIBUNE, "date,text,networks\n2026-03-29 02:30,Hi,x\n")
    assert job.status == "failed"
    assert job.errors[0]["line"] == 2 and "does not exist" in job.errors[0]["message"]


def test_it_reads_an_ambiguous_autumn_time_as_its_first_occurrence(workspace, alice):
    job = _run(workspace, alice, imports.TRIBUNE, "date,text,networks\n2026-10-25 02:30,Hi,x\n")
    assert job.status == "done"
    # The first 02:30 on 25 October 2026 is still summer time (UTC+2).
    assert Post.objects.get().scheduled_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_it_counts_lines_of_multi_line_cells(workspace, alice):
    text = 'text,networks\n"First line\nsecond line",x\n"ok",nowhere\n'
    job = _run(workspace, alice, imports.TRIBUNE, text)
    assert [(e["line"], e["column"]) for e in job.errors] == [(4, "networks")]


def test_it_refuses_unknown_columns(workspace, alice):
    job = _run(workspace, alice, imports.TRIBUNE, "text,networks,colour\nHi,x,red\n")
    assert (
        job.errors == [{"line": 1, "column": "colour", "message": job.errors[0]["message"]}]
        and "Unknown column" in job.errors[0]["message"]
    )


def test_it_imports_a_hootsuite_file_for_the_chosen_networks(workspace, alice):
    text = (
        "31/03/2026 09:30,Spring is here,https://example.org/a,https://cdn.example.org/a.jpg\n"
        "01/04/2026 18:05,Second message,,\n"
    )
    job = _run(workspace, alice, imports.HOOTSUITE, text, ["linkedin", "facebook"])
    assert (job.status, job.total_rows, job.created_posts) == ("done", 2, 2)
    first = Post.objects.get(body="Spring is here")
    assert first.scheduled_at == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)
    variants = {v.network: v for v in first.variants.all()}
    assert set(variants) == {"linkedin", "facebook"}
    assert variants["linkedin"].link == "https://example.org/a"
    assert variants["linkedin"].options == {"media_url": "https://cdn.example.org/a.jpg"}


def test_it_reads_hootsuite_dates_month_first_when_asked(workspace, alice):
    job = _run(workspace, alice, imports.HOOTSUITE, "04/01/2026 10:00,Hi\n", ["x"], False)
    assert job.status == "done"
    assert Post.objects.get().scheduled_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def test_it_reports_a_bad_hootsuite_row_by_column_letter(workspace, alice):
    text = "31/03/2026 09:30,Fine\n32/03/2026 09:30,Bad day\n01/04/2026 09:30,\n"
    job = _run(workspace, alice, imports.HOOTSUITE, text, ["x"])
    assert job.status == "failed" and Post.objects.count() == 0
    assert [(e["line"], e["column"]) for e in job.errors] == [
        (2, "column A (date)"),
        (3, "column B (message)"),
    ]


def test_it_imports_a_buffer_file_with_tags_and_pinterest_board(workspace, alice):
    text = (
        "Text,Image URL,Tags,Posting Time,Board Name\n"
        'New recipe,https://cdn.example.org/r.jpg,"food, recipes",2026-05-04 12:00,Recipes\n'
        ",https://cdn.example.org/only-image.jpg,,,\n"
    )
    job = _run(workspace, alice, imports.BUFFER, text, ["pinterest", "instagram"])
    assert (job.status, job.created_posts) == ("done", 2)
    post = Post.objects.get(body="New recipe")
    assert post.tags == ["food", "recipes"]
    assert post.scheduled_at == datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    pin = post.variants.get(network="pinterest")
    assert pin.options == {"board": "Recipes", "media_url": "https://cdn.example.org/r.jpg"}
    assert "board" not in post.variants.get(network="instagram").options


def test_it_needs_networks_for_hootsuite_and_buffer(workspace, alice):
    job = _run(workspace, alice, imports.BUFFER, "Text\nHello\n")
    assert job.status == "failed" and job.errors[0]["column"] == "networks"


def test_it_refuses_a_file_that_is_not_utf8(workspace, alice):
    access = access_workspace(alice, workspace.slug)
    with pytest.raises(imports.FileRefused):
        actions_imports.do_start_import(access, "é".encode("latin-1"), "a.csv", imports.TRIBUNE)


def test_it_reads_semicolon_separated_files(workspace, alice):
    job = _run(workspace, alice, imports.TRIBUNE, "text;networks\nBonjour, le monde;linkedin\n")
    assert job.status == "done" and Post.objects.get().body == "Bonjour, le monde"


def test_it_runs_a_job_once_even_when_the_task_is_delivered_twice(workspace, alice):
    job = _job(workspace, alice, imports.TRIBUNE, "text,networks\nHi,x\n")
    actions_imports.run_job(job.pk)
    again = actions_imports.run_job(job.pk)
    assert again.status == "done" and Post.objects.count() == 1


def test_it_fails_the_job_when_the_uploader_lost_the_right_to_write(workspace, alice, bob):
    job = _job(workspace, bob, imports.TRIBUNE, "text,networks\nHi,x\n")
    set_roles(bob, workspace, Role.ANALYST)
    job = actions_imports.run_job(job.pk)
    assert job.status == "failed" and Post.objects.count() == 0


def test_it_records_one_audit_event_for_the_whole_file(workspace, alice):
    from tribune.workspaces.models import AuditEvent

    _run(workspace, alice, imports.TRIBUNE, "text,networks\nA,x\nB,x\nC,x\n")
    event = AuditEvent.objects.get(verb="import")
    assert event.after["posts"] == 3 and event.object_type == "importjob"


def test_it_keeps_the_stored_file(workspace, alice):
    job = _job(workspace, alice, imports.TRIBUNE, "text,networks\nHi,x\n")
    assert job.file.read() == ContentFile(b"text,networks\nHi,x\n").read()
