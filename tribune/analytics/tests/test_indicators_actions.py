"""Entering, replacing, deleting and importing business figures (actions_indicators)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tribune.analytics import actions_indicators as actions
from tribune.analytics.models import IndicatorValue
from tribune.analytics.tests.samples import plausible_zip, sample
from tribune.strategy.models import Objective
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.models import AuditEvent
from tribune.workspaces.roles import Action, Role

DAY = date(2026, 11, 2)


def custom_objective(workspace, title="Grow the newsletter") -> Objective:
    return Objective.objects.create(
        workspace=workspace,
        title=title,
        lever="proximity",
        kpi="custom",
        kpi_label="Newsletter sign-ups",
        baseline=Decimal(100),
        target=Decimal(400),
        deadline=date(2027, 6, 30),
    )


@pytest.fixture
def access(alice, workspace):
    return access_workspace(alice, workspace.slug, Action.ENTER_FIGURES)


class TestEnter:
    def test_it_stores_a_figure_and_records_who_entered_it(self, access, alice):
        figure, created = actions.do_enter(access, "sales", DAY, Decimal("14"), note=" box ")
        assert created and (figure.value, figure.source, figure.note) == (14, "manual", "box")
        assert figure.created_by == alice
        event = AuditEvent.objects.get(verb="create")
        assert event.object_type == "indicatorvalue" and event.after["value"] == "14.00"

    def test_it_replaces_the_figure_of_the_same_day_and_source(self, access):
        first, _ = actions.do_enter(access, "sales", DAY, Decimal("14"))
        second, created = actions.do_enter(access, "sales", DAY, Decimal("15.5"))
        assert not created and second.pk == first.pk
        assert IndicatorValue.objects.get().value == Decimal("15.50")
        update = AuditEvent.objects.get(verb="update")
        assert (update.before["value"], update.after["value"]) == ("14.00", "15.50")

    def test_it_keeps_figures_of_other_sources_days_and_objectives_apart(self, access, workspace):
        newsletter, other = custom_objective(workspace), custom_objective(workspace, "Podcast")
        actions.do_enter(access, "sales", DAY, Decimal(1))
        actions.do_enter(access, "sales", DAY, Decimal(2), source="api")
        actions.do_enter(access, "sales", date(2026, 11, 3), Decimal(3))
        actions.do_enter(access, "custom", DAY, Decimal(4), newsletter)
        actions.do_enter(access, "custom", DAY, Decimal(5), other)
        assert IndicatorValue.objects.count() == 5

    def test_it_refuses_broken_rules_keyed_by_field(self, access, workspace):
        with pytest.raises(ValidationError) as caught:
            actions.do_enter(access, "custom", date(2099, 1, 1), Decimal(-1))
        assert set(caught.value.message_dict) == {"objective", "date"}
        with pytest.raises(ValidationError) as caught:
            actions.do_enter(access, "followers", DAY, Decimal(-1))
        assert set(caught.value.message_dict) == {"indicator", "value"}
        assert IndicatorValue.objects.count() == 0

    def test_it_refuses_another_workspaces_objective(self, access, charlie):
        foreign = custom_objective(charlie.memberships.get().workspace)
        with pytest.raises(ValidationError):
            actions.do_enter(access, "custom", DAY, Decimal(1), foreign)

    def test_it_needs_the_enter_figures_role(self, alice, bob, workspace):
        set_roles(bob, workspace, Role.EDITOR)
        access = access_workspace(bob, workspace.slug)
        with pytest.raises(PermissionDenied):
            actions.do_enter(access, "sales", DAY, Decimal(1))

    def test_it_deletes_a_figure_with_an_audit_event(self, access):
        figure, _ = actions.do_enter(access, "sales", DAY, Decimal(1))
        actions.do_delete(access, figure)
        assert IndicatorValue.objects.count() == 0
        assert AuditEvent.objects.filter(verb="delete", object_type="indicatorvalue").exists()


class TestImport:
    def test_it_imports_a_tribune_file_and_records_one_event(self, access, workspace):
        custom_objective(workspace)
        result = actions.do_import_csv(access, sample("tribune_figures.csv"), "tribune")
        assert result.ok and (result.created, result.replaced) == (6, 0)
        assert (result.first_day, result.last_day) == (date(2026, 11, 2), date(2026, 11, 4))
        assert set(IndicatorValue.objects.values_list("source", flat=True)) == {"csv"}
        event = AuditEvent.objects.get(verb="import_figures")
        assert event.after["created"] == 6 and event.object_type == "workspace"

    def test_it_writes_nothing_when_any_row_is_wrong(self, access):
        result = actions.do_import_csv(access, sample("tribune_errors.csv"), "tribune")
        assert not result.ok and len(result.errors) == 4
        assert IndicatorValue.objects.count() == 0
        assert not AuditEvent.objects.filter(verb="import_figures").exists()

    def test_it_replaces_the_days_a_second_import_gives_again(self, access):
        actions.do_import_csv(access, sample("ga4_traffic_by_date.csv"), "ga4")
        actions.do_enter(access, "site_traffic", date(2026, 11, 1), Decimal(999))
        again = actions.do_import_csv(
            access, sample("ga4_traffic_by_date.csv"), "ga4", ga4_metric="views"
        )
        assert (again.created, again.replaced) == (0, 7)
        by_source = dict(
            IndicatorValue.objects.filter(day=date(2026, 11, 1)).values_list("source", "value")
        )
        assert by_source == {"ga4": Decimal("1093.00"), "manual": Decimal("999.00")}

    def test_it_reads_the_plausible_zip(self, access):
        result = actions.do_import_csv(access, plausible_zip(), "plausible")
        assert result.created == 5 and result.member == "visitors.csv"
        assert IndicatorValue.objects.filter(source="plausible").count() == 5

    def test_it_turns_an_unreadable_file_into_one_error_on_line_0(self, access):
        result = actions.do_import_csv(access, b"\xff\xfe\x00garbage\xff", "tribune")
        assert [(e.line, e.column) for e in result.errors] == [(0, "")]

    def test_it_needs_the_enter_figures_role(self, bob, workspace):
        access = access_workspace(bob, workspace.slug)
        with pytest.raises(PermissionDenied):
            actions.do_import_csv(access, sample("tribune_figures.csv"), "tribune")


class TestWebhookSecret:
    def test_it_stores_the_secret_encrypted_and_never_audits_it(self, access, workspace):
        secret = actions.do_rotate_webhook_secret(access)
        assert secret.startswith("trbwh_") and len(secret) > 60
        assert actions.webhook_secret(workspace) == secret
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT webhook_secret FROM analytics_analyticssettings")
            (stored,) = cursor.fetchone()
        assert secret not in stored
        events = AuditEvent.objects.filter(verb="webhook_rotate")
        assert events.count() == 1 and secret not in str(events.values().get())

    def test_it_turns_the_webhook_off(self, access, workspace):
        actions.do_rotate_webhook_secret(access)
        actions.do_revoke_webhook_secret(access)
        assert actions.webhook_secret(workspace) == ""
