"""core.fastsql writes what the ORM would have written, on both databases.

The publishing path writes targets, attempts and post transitions through it;
these tests compare its rows with the ORM's own, field by field, and check the
assumption it rests on: no signal receivers on those models.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import signals
from django.forms.models import model_to_dict
from django.utils import timezone

from tribune.core import fastsql
from tribune.editorial.models import Transition
from tribune.publishing.models import Attempt, Target, TargetState

from .support import make_account, scheduled_post, targets

pytestmark = pytest.mark.django_db


def _row(instance) -> dict:
    fresh = type(instance).objects.get(pk=instance.pk)
    values = model_to_dict(fresh)
    values.pop("id")
    return values


def test_it_inserts_the_row_the_orm_would_insert(workspace, alice):
    [target] = targets(scheduled_post(workspace, alice, [make_account(workspace)]))
    started = timezone.now()
    fields = {"target": target, "account_id": target.account_id, "number": 3,
              "worker": "host:1:2", "started_at": started}  # fmt: skip
    by_orm = Attempt.objects.create(**fields)
    Attempt.objects.filter(pk=by_orm.pk).update(number=4)  # one target, distinct rows
    by_fastsql = fastsql.insert(Attempt(**fields))
    assert by_fastsql.pk is not None and by_fastsql.pk != by_orm.pk
    assert by_fastsql._state.adding is False
    expected = {**_row(by_orm), "number": 3}
    assert _row(by_fastsql) == expected


def test_it_fills_defaults_as_the_orm_does(workspace, alice):
    post = scheduled_post(workspace, alice, [make_account(workspace)])
    before = timezone.now()
    written = fastsql.insert(Transition(post_id=post.pk, from_state="scheduled",
                                        to_state="publishing"))  # fmt: skip
    row = Transition.objects.get(pk=written.pk)
    assert (row.reason, row.client_name, row.actor_id) == ("", "", None)
    assert before <= row.at <= timezone.now()  # the field's default, timezone.now


def test_it_updates_only_rows_matching_every_condition(workspace, alice):
    [target] = targets(scheduled_post(workspace, alice, [make_account(workspace)]))
    until = timezone.now() + timedelta(minutes=10)
    changes = {"state": TargetState.PUBLISHING, "lease_owner": "w1", "lease_until": until,
               "attempt_count": fastsql.Add(1), "remote_extra": {"a": [1, "é"]}}  # fmt: skip
    wrong_state = {"id": target.pk, "state": TargetState.PUBLISHED}
    assert fastsql.update(Target, wrong_state, changes) == 0
    assert fastsql.update(Target, {"id": target.pk, "state": TargetState.SCHEDULED}, changes) == 1
    target.refresh_from_db()
    assert (target.state, target.lease_owner, target.attempt_count) == ("publishing", "w1", 1)
    assert target.lease_until == until
    assert target.remote_extra == {"a": [1, "é"]}


@pytest.mark.parametrize("returning", [True, False])
def test_it_updates_many_rows_each_with_its_values_as_the_orm_would(
    workspace, alice, monkeypatch, returning
):
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(3)]
    rows = targets(scheduled_post(workspace, alice, accounts))[:3]
    twins = targets(scheduled_post(workspace, alice, accounts))[:3]
    now = timezone.now()
    values = [
        {"state": TargetState.PUBLISHED, "lease_owner": "", "lease_until": None,
         "published_at": now, "remote_extra": {"a": [1, "é"]}, "verify_first": False},
        {"state": TargetState.SCHEDULED, "lease_owner": "", "lease_until": None,
         "published_at": None, "remote_extra": {}, "verify_first": True},
        {"state": TargetState.FAILED, "lease_owner": "", "lease_until": None,
         "published_at": None, "remote_extra": {"b": None}, "verify_first": False},
    ]  # fmt: skip
    held = {"state": TargetState.PUBLISHING, "lease_owner": "w1"}
    for target in rows + twins:
        Target.objects.filter(pk=target.pk).update(**held, lease_until=now)
    Target.objects.filter(pk=rows[2].pk).update(lease_owner="w2")  # another worker's
    if not returning:  # an SQLite without RETURNING: one statement per row
        features = type(fastsql.connection.features)
        monkeypatch.setattr(features, "can_return_rows_from_bulk_insert", False)
    changed = fastsql.update_rows(
        Target, {t.pk: v for t, v in zip(rows, values, strict=True)}, where=held
    )
    assert sorted(changed) == [rows[0].pk, rows[1].pk]
    for twin, change in zip(twins[:2], values[:2], strict=True):
        Target.objects.filter(pk=twin.pk).update(**change)  # the ORM's way, for comparison
    skip = {"post", "variant", "idempotency_key", "due_at", "next_attempt_at", "created_at"}
    for by_fastsql, by_orm in zip(rows[:2], twins[:2], strict=True):
        mine = {k: v for k, v in _row(by_fastsql).items() if k not in skip}
        theirs = {k: v for k, v in _row(by_orm).items() if k not in skip}
        assert mine == theirs
    untouched = Target.objects.get(pk=rows[2].pk)
    assert (untouched.state, untouched.lease_owner) == (TargetState.PUBLISHING, "w2")


@pytest.mark.parametrize("model", [Target, Attempt, Transition])
def test_it_is_used_only_on_models_without_signal_receivers(model):
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(model), f"{model.__name__} has {signal} receivers"


def test_it_reads_an_instance_and_its_related_objects_as_get_does(workspace, alice):
    from tribune.editorial.actions import editorial_settings
    from tribune.editorial.models import Variant

    editorial_settings(workspace)  # the settings row exists, as for any opened workspace
    post = scheduled_post(workspace, alice, [make_account(workspace)])
    variant = post.variants.get()
    from django.db.models import Exists, OuterRef

    from tribune.editorial.models import VariantMedia

    queryset = Variant.objects.select_related("post__workspace__editorial_settings").annotate(
        has_media=Exists(VariantMedia.objects.filter(variant=OuterRef("pk")))
    )
    by_orm, by_fastsql = queryset.get(pk=variant.pk), fastsql.ByPk(queryset).get(variant.pk)
    assert model_to_dict(by_fastsql) == model_to_dict(by_orm)
    assert model_to_dict(by_fastsql.post) == model_to_dict(by_orm.post)
    assert by_fastsql.post.workspace.time_zone == workspace.time_zone
    settings = by_fastsql.post.workspace.editorial_settings
    assert model_to_dict(settings) == model_to_dict(by_orm.post.workspace.editorial_settings)
    assert by_fastsql.post.updated_at == by_orm.post.updated_at  # converted (SQLite: text)
    assert by_fastsql.has_media is False and by_orm.has_media is False  # converted to bool
    with pytest.raises(Variant.DoesNotExist):
        fastsql.ByPk(queryset).get(variant.pk + 1000)
