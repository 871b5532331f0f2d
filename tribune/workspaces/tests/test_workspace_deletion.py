"""Deleting a workspace takes everything in it, including what guards itself on its own:
a report template a schedule uses, a media file a post uses."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError

from tribune.analytics.models import ReportSchedule, ReportTemplate
from tribune.analytics.tests.test_reports_runs import make_schedule
from tribune.editorial.models import MediaAsset, Variant, VariantMedia
from tribune.editorial.tests.test_posts_composer import make_media
from tribune.editorial.tests.workflow_support import make_post
from tribune.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(workspace, alice):
    schedule = make_schedule(workspace)
    media = make_media(workspace)
    post = make_post(workspace, alice, networks=("mastodon",))
    VariantMedia.objects.create(variant=post.variants.get(), media=media)
    return schedule, media


def test_it_deletes_a_workspace_with_a_report_schedule_and_media_in_use(workspace, guarded):
    workspace.delete()
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not ReportSchedule.objects.exists()
    assert not ReportTemplate.objects.exists()
    assert not MediaAsset.objects.exists()
    assert not Variant.objects.exists()


def test_it_still_refuses_to_delete_a_template_or_media_in_use_on_their_own(guarded):
    schedule, media = guarded
    with pytest.raises(RestrictedError):
        ReportTemplate.objects.get(pk=schedule.template_id).delete()
    with pytest.raises(RestrictedError):
        media.delete()
