"""Reports pages role by role, and the validation of templates, schedules and comments."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tribune.analytics.models import ReportComment, ReportSchedule, ReportTemplate
from tribune.analytics.reports import SECTIONS
from tribune.editorial.tests.media_samples import image_bytes, png_header_only, upload
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Role

from .test_reports_support import WEEK, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(name: str, workspace, *args) -> str:
    return reverse(name, args=[workspace.slug, *args])


def template_data(**fields) -> dict:
    return {
        "name": "Client monthly",
        "sections": ["objectives", "top_posts"],
        "colour": "#1f4fd1",
        "accent": "#e8590c",
        **fields,
    }


def schedule_data(template: ReportTemplate, **fields) -> dict:
    return {
        "name": "Monthly for the client",
        "template": template.pk,
        "frequency": "monthly",
        "recipients": "client@example.org\nboss@example.org",
        "active": "on",
        **fields,
    }


# --- who may do what ------------------------------------------------------------------


def test_it_lets_an_analyst_set_up_reports(client, workspace, bob):
    set_roles(bob, workspace, Role.ANALYST)
    client.force_login(bob)
    assert client.get(url("report-list", workspace)).status_code == 200
    response = client.post(url("report-template-create", workspace), template_data())
    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert template.workspace == workspace
    assert template.sections == ["objectives", "top_posts"]
    response = client.post(url("report-schedule-create", workspace), schedule_data(template))
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["client@example.org", "boss@example.org"]
    assert schedule.created_by == bob and schedule.next_run_at is not None
    response = client.post(
        url("report-comment-create", workspace),
        {"period_start": "2025-03-03", "period_end": "2025-03-09", "body": " Good week. "},
    )
    assert response.status_code == 302
    assert ReportComment.objects.get().body == "Good week."
    verbs = list(AuditEvent.objects.values_list("verb", "object_type").order_by("id"))
    assert verbs == [
        ("create", "reporttemplate"),
        ("create", "reportschedule"),
        ("create", "reportcomment"),
    ]


def test_it_refuses_an_editor_with_403(client, workspace, bob):
    template = make_template(workspace)
    set_roles(bob, workspace, Role.EDITOR)
    client.force_login(bob)
    for response in (
        client.get(url("report-list", workspace)),
        client.get(url("report-template-create", workspace)),
        client.post(url("report-template-create", workspace), template_data()),
        client.get(url("report-template-preview", workspace, template.pk)),
        client.post(url("report-template-delete", workspace, template.pk)),
    ):
        assert response.status_code == 403
    assert ReportTemplate.objects.count() == 1


def test_it_lets_a_strategist_read_but_a_guest_not(client, workspace, bob):
    set_roles(bob, workspace, Role.GUEST)
    client.force_login(bob)
    assert client.get(url("report-list", workspace)).status_code == 403
    set_roles(bob, workspace, Role.STRATEGIST)
    assert client.get(url("report-list", workspace)).status_code == 200


def test_it_hides_another_workspace_s_reports_with_404(client, workspace, alice, charlie):
    template = make_template(workspace)
    schedule = ReportSchedule.objects.create(
        workspace=workspace, template=template, name="Weekly", frequency="weekly"
    )
    client.force_login(charlie)
    assert client.get(url("report-list", workspace)).status_code == 404
    # Alice's objects through charlie's own workspace: 404 as well.
    other = type(workspace).objects.get(slug="other")
    for name, pk in (
        ("report-template-edit", template.pk),
        ("report-template-preview", template.pk),
        ("report-schedule-edit", schedule.pk),
        ("report-schedule-preview", schedule.pk),
    ):
        assert client.get(url(name, other, pk)).status_code == 404, name
    for name, pk in (
        ("report-template-delete", template.pk),
        ("report-schedule-delete", schedule.pk),
        ("report-schedule-send", schedule.pk),
    ):
        assert client.post(url(name, other, pk)).status_code == 404, name
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()


def test_it_lists_schedules_runs_and_comments_in_a_fixed_number_of_queries(
    client, workspace, alice, django_assert_max_num_queries
):
    from tribune.analytics.models import ReportRun

    template = make_template(workspace)
    schedule = ReportSchedule.objects.create(
        workspace=workspace, template=template, name="Weekly", frequency="weekly"
    )
    client.force_login(alice)

    def add_runs(n: int) -> None:
        for _ in range(n):
            ReportRun.objects.create(
                schedule=schedule,
                workspace=workspace,
                period_start=WEEK[0],
                period_end=WEEK[1],
                status="done",
            )
            ReportComment.objects.create(
                workspace=workspace, period_start=WEEK[0], period_end=WEEK[1], body="note"
            )

    add_runs(1)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url("report-list", workspace)).status_code == 200
    add_runs(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("report-list", workspace)).status_code == 200


# --- templates ------------------------------------------------------------------------


def test_it_refuses_a_colour_that_is_not_rrggbb(client, workspace, alice):
    client.force_login(alice)
    for colour in ("red", "#12345g", "#1234567", "1f4fd1", "#fff"):
        response = client.post(
            url("report-template-create", workspace), template_data(colour=colour)
        )
        assert response.status_code == 200, colour
        assert "colour" in response.context["form"].errors, colour
    assert not ReportTemplate.objects.exists()


def test_it_refuses_an_unknown_section_or_none(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        url("report-template-create", workspace), template_data(sections=["weather"])
    )
    assert "sections" in response.context["form"].errors
    response = client.post(url("report-template-create", workspace), template_data(sections=[]))
    assert response.context["form"].errors["sections"] == ["Choose at least one section."]
    assert not ReportTemplate.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"not an image at all", "logo.png"),
        (image_bytes("GIF"), "logo.gif"),
        (image_bytes("PNG")[:60], "truncated.png"),
        (png_header_only(5000, 100), "too-wide.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
    ],
)
def test_it_refuses_a_logo_that_is_not_a_whole_png_or_jpeg(client, workspace, alice, content, name):
    client.force_login(alice)
    response = client.post(
        url("report-template-create", workspace), template_data(logo=upload(content, name))
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert not ReportTemplate.objects.exists()


def test_it_refuses_a_logo_over_two_megabytes(client, workspace, alice, monkeypatch):
    monkeypatch.setattr("tribune.analytics.forms_reports.LOGO_MAX_BYTES", 100)
    client.force_login(alice)
    response = client.post(
        url("report-template-create", workspace),
        template_data(logo=upload(image_bytes("PNG", (200, 200)))),
    )
    assert response.context["form"].errors["logo"] == ["The logo must not exceed 2 MB."]


def test_it_stores_a_logo_by_its_content_and_embeds_it_in_the_report(
    client, workspace, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    response = client.post(
        url("report-template-create", workspace),
        template_data(logo=upload(image_bytes("JPEG"), "photo.png", "image/png")),
    )
    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert template.logo.name.startswith("reports/logos/") and template.logo.name.endswith(".jpg")
    assert default_storage.exists(template.logo.name)
    html = client.get(url("report-template-preview", workspace, template.pk)).content.decode()
    assert 'src="data:image/jpeg;base64,' in html
    # Replacing the logo deletes the old file once saved.
    old = template.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report-template-edit", workspace, template.pk),
            template_data(logo=upload(image_bytes("PNG"), "new.png")),
        )
    assert response.status_code == 302
    assert not default_storage.exists(old)


def test_it_previews_unsaved_sections_and_colours_without_saving(client, workspace, alice):
    template = make_template(workspace, sections=["objectives"])
    client.force_login(alice)
    response = client.post(
        url("report-template-preview", workspace, template.pk),
        {"name": "Renamed", "sections": ["comments"], "colour": "#2b8a3e", "accent": "#000000"},
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    html = response.content.decode()
    assert "Renamed" in html and "#2b8a3e" in html
    assert 'id="comments"' in html and 'id="objectives"' not in html
    template.refresh_from_db()
    assert (template.name, template.sections) == ("Client weekly", ["objectives"])


def test_it_previews_a_period_given_in_the_address(client, workspace, alice):
    template = make_template(workspace, sections=["comments"])
    client.force_login(alice)
    response = client.get(
        url("report-template-preview", workspace, template.pk),
        {"start": "2025-03-03", "end": "2025-03-09"},
    )
    assert "03/03/2025" in response.content.decode()


def test_it_keeps_a_template_that_a_schedule_uses(client, workspace, alice):
    template = make_template(workspace)
    ReportSchedule.objects.create(
        workspace=workspace, template=template, name="Weekly", frequency="weekly"
    )
    client.force_login(alice)
    response = client.post(url("report-template-delete", workspace, template.pk), follow=True)
    assert ReportTemplate.objects.filter(pk=template.pk).exists()
    assert "is used by 1 scheduled report" in response.content.decode()


# --- schedules and comments -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recipients": "client@example.org\nnot-an-address"}, "recipients"),
        ({"recipients": ""}, "recipients"),
        ({"recipients": "\n".join(f"p{i}@example.org" for i in range(51))}, "recipients"),
        ({"frequency": "campaign"}, "__all__"),
        (
            {"frequency": "campaign", "period_start": "2025-05-10", "period_end": "2025-05-01"},
            "period_end",
        ),
        ({"frequency": "daily"}, "frequency"),
    ],
)
def test_it_validates_schedules(client, workspace, alice, fields, field):
    template = make_template(workspace)
    client.force_login(alice)
    response = client.post(
        url("report-schedule-create", workspace), schedule_data(template, **fields)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ReportSchedule.objects.exists()


def test_it_accepts_fifty_recipients_once_each(client, workspace, alice):
    template = make_template(workspace)
    client.force_login(alice)
    addresses = [f"p{i}@example.org" for i in range(50)]
    recipients = ", ".join(addresses) + "; P0@example.org"
    response = client.post(
        url("report-schedule-create", workspace), schedule_data(template, recipients=recipients)
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.get().recipients == addresses


def test_it_never_offers_another_workspace_s_template(client, workspace, alice, charlie):
    other = type(workspace).objects.get(slug="other")
    foreign = make_template(other, name="Other brand's template")
    client.force_login(alice)
    response = client.post(url("report-schedule-create", workspace), schedule_data(foreign))
    assert "template" in response.context["form"].errors


def test_it_plans_a_campaign_the_day_after_it_ends(client, workspace, alice):
    template = make_template(workspace)
    client.force_login(alice)
    client.post(
        url("report-schedule-create", workspace),
        schedule_data(
            template, frequency="campaign", period_start="2025-04-01", period_end="2025-04-30"
        ),
    )
    schedule = ReportSchedule.objects.get()
    assert schedule.next_run_at.isoformat() == "2025-05-01T05:00:00+00:00"


def test_it_refuses_a_comment_ending_before_it_starts(client, workspace, alice):
    client.force_login(alice)
    response = client.post(
        url("report-comment-create", workspace),
        {"period_start": "2025-03-09", "period_end": "2025-03-03", "body": "Backwards"},
    )
    assert "period_end" in response.context["form"].errors
    assert not ReportComment.objects.exists()


def test_it_edits_and_deletes_a_comment(client, workspace, alice):
    comment = ReportComment.objects.create(
        workspace=workspace, period_start=WEEK[0], period_end=WEEK[1], body="First", author=alice
    )
    client.force_login(alice)
    client.post(
        url("report-comment-edit", workspace, comment.pk),
        {"period_start": "2025-03-03", "period_end": "2025-03-09", "body": "Second"},
    )
    comment.refresh_from_db()
    assert comment.body == "Second"
    client.post(url("report-comment-delete", workspace, comment.pk))
    assert not ReportComment.objects.exists()
    assert list(
        AuditEvent.objects.filter(object_type="reportcomment").values_list("verb", flat=True)
    ) == ["delete", "update"]


def test_it_shows_every_section_as_a_checkbox(client, workspace, alice):
    client.force_login(alice)
    html = client.get(url("report-template-create", workspace)).content.decode()
    for key in SECTIONS:
        assert f'type="checkbox" name="sections" value="{key}"' in html
