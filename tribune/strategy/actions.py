"""Writes of the strategy domain: each checks permission, runs in one transaction,
and records an audit event with the values before and after."""

from __future__ import annotations

from django.db import models, transaction
from django.forms import ModelForm
from django.http import Http404

from tribune.core.snapshot import snapshot
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.roles import Action


def access_object(access: Access, model: type[models.Model], pk: int, **related) -> models.Model:
    """Return the workspace's object `pk` of `model`; Http404 for any other workspace's."""
    queryset = model.objects.filter(workspace=access.workspace)
    if related:
        queryset = queryset.select_related(*related.get("select", ()))
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@transaction.atomic
def do_save_form(access: Access, form: ModelForm, action: Action = Action.EDIT_STRATEGY):
    """Save a validated ModelForm for a workspace-owned model; return the instance."""
    check_action(access, action)
    instance = form.instance
    creating = instance.pk is None
    before = None if creating else snapshot(type(instance).objects.get(pk=instance.pk))
    obj = form.save(commit=False)
    obj.workspace = access.workspace
    obj.save()
    form.save_m2m()
    record(access, access.workspace, "create" if creating else "update", obj, before, snapshot(obj))
    return obj


@transaction.atomic
def do_delete(access: Access, obj: models.Model, action: Action = Action.EDIT_STRATEGY) -> None:
    check_action(access, action)
    if obj.workspace_id != access.workspace.pk:
        raise Http404
    record(access, access.workspace, "delete", obj, snapshot(obj))
    obj.delete()
