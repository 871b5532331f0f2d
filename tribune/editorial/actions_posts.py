"""Writes and reads of the composer: a post written once, then one variant per network.

Every write checks WRITE_POSTS, runs in one transaction and records an audit
event per object it changes. Saving never refuses a variant that breaks a
network rule: a draft may be over the limit; approval and scheduling refuse it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tribune.core.snapshot import snapshot
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.roles import Action

from .choices import PostFormat, PostState
from .forms_posts import PostForm, VariantForm
from .models import MediaAsset, Post, Variant, VariantMedia


@dataclass(frozen=True)
class PostFilters:
    """What the post list can be narrowed to; empty values mean "any"."""

    state: str = ""
    network: str = ""
    format: str = ""
    persona: int | None = None
    pillar: int | None = None
    q: str = ""


def posts_for(access: Access, filters: PostFilters | None = None) -> QuerySet[Post]:
    """Return the workspace's posts, newest publication first, with what the list shows.

    The queryset costs a fixed number of queries whatever its length: persona,
    pillar and author are joined, variants are prefetched.
    """
    f = filters or PostFilters()
    queryset = (
        Post.objects.filter(workspace=access.workspace)
        .select_related("persona", "pillar", "author")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.only("id", "post_id", "network"))
        )
        .order_by("-scheduled_at", "-created_at", "-id")
    )
    if f.state in PostState.values:
        queryset = queryset.filter(state=f.state)
    if f.format in PostFormat.values:
        queryset = queryset.filter(format=f.format)
    if f.network:
        queryset = queryset.filter(variants__network=f.network)
    if f.persona:
        queryset = queryset.filter(persona_id=f.persona)
    if f.pillar:
        queryset = queryset.filter(pillar_id=f.pillar)
    if f.q:
        queryset = queryset.filter(title__icontains=f.q)
    return queryset.distinct() if f.network else queryset


def variants_of(post: Post) -> list[Variant]:
    """Return the post's variants with their attached media, in two queries."""
    return list(
        post.variants.prefetch_related(
            Prefetch("variantmedia_set", queryset=VariantMedia.objects.select_related("media"))
        ).order_by("network")
    )


def variant_snapshot(variant: Variant) -> dict:
    data = snapshot(variant)
    data["attachments"] = [
        {"media": r.media_id, "position": r.position, "alt_text": r.alt_text}
        for r in VariantMedia.objects.filter(variant=variant).order_by("position", "id")
    ]
    return data


def _reopen_if_approved(access: Access, post: Post) -> None:
    """Send an approved or scheduled post back to draft: its content changed."""
    if post.state in (PostState.APPROVED, PostState.SCHEDULED):
        # The workflow owns the states and records the transition.
        from .workflow import do_reopen_after_edit

        do_reopen_after_edit(access, post)


@transaction.atomic
def do_create_post(access: Access, form: PostForm) -> Post:
    """Create the post from a valid PostForm, with one variant per chosen network.

    Each variant starts from the master text. Returns the post.
    """
    check_action(access, Action.WRITE_POSTS)
    post = form.save(commit=False)
    post.workspace = access.workspace
    post.author = access.user
    post.save()
    form.save_m2m()
    record(access, access.workspace, "create", post, None, snapshot(post))
    for network in form.cleaned_data["networks"]:
        variant = Variant.objects.create(post=post, network=network, text=post.body)
        record(access, access.workspace, "create", variant, None, variant_snapshot(variant))
    return post


@transaction.atomic
def do_update_post(
    access: Access, post: Post, form: PostForm, variant_forms: Iterable[VariantForm]
) -> Post:
    """Save the post and its variants from valid forms; add and remove networks.

    A network newly ticked gets a variant from the master text (or from its
    submitted form); a network unticked loses its variant. An approved or
    scheduled post whose content changed goes back to draft. Returns the post.
    """
    check_action(access, Action.WRITE_POSTS)
    # Lock the row so two editors cannot interleave; `before` is what is stored.
    stored = Post.objects.select_for_update().get(pk=post.pk, workspace=access.workspace)
    before = snapshot(stored)
    post = form.save()
    changed = _content(before) != _content(snapshot(post))
    if changed:
        record(access, access.workspace, "update", post, before, snapshot(post))
    wanted = list(form.cleaned_data["networks"])
    by_network = {f.network: f for f in variant_forms}
    existing = {v.network: v for v in post.variants.all()}
    for network, variant in existing.items():
        if network not in wanted:
            record(access, access.workspace, "delete", variant, variant_snapshot(variant))
            variant.delete()
            changed = True
    for network in wanted:
        variant_form = by_network.get(network)
        variant = existing.get(network)
        if variant is None:
            variant = Variant(post=post, network=network, text=post.body)
            if variant_form is not None:
                variant = variant_form.to_variant(variant)
            variant.save()
            if variant_form is not None:
                _attach(variant, variant_form)
            record(access, access.workspace, "create", variant, None, variant_snapshot(variant))
            changed = True
        elif variant_form is not None:
            changed |= _update_variant(access, variant, variant_form)
    if changed:
        _reopen_if_approved(access, post)
    return post


def _content(data: dict) -> dict:
    """Return a snapshot without its timestamp: `updated_at` moves on every save."""
    return {k: v for k, v in data.items() if k != "updated_at"}


def _update_variant(access: Access, variant: Variant, form: VariantForm) -> bool:
    """Save one variant from its valid form; return True when anything changed."""
    before = variant_snapshot(variant)
    form.to_variant(variant).save()
    _attach(variant, form)
    after = variant_snapshot(variant)
    if _content(before) == _content(after):
        return False
    record(access, access.workspace, "update", variant, before, after)
    return True


def _attach(variant: Variant, form: VariantForm) -> None:
    """Make the variant's attachments the form's media, in the order given, with alt texts."""
    chosen: list[MediaAsset] = list(form.cleaned_data.get("media") or [])
    alt_texts = form.bound_alt_texts()
    keep = {m.pk for m in chosen}
    VariantMedia.objects.filter(variant=variant).exclude(media_id__in=keep).delete()
    rows = {r.media_id: r for r in VariantMedia.objects.filter(variant=variant)}
    for position, media in enumerate(chosen):
        row = rows.get(media.pk) or VariantMedia(variant=variant, media=media)
        row.position = position
        if media.pk in alt_texts:
            row.alt_text = alt_texts[media.pk]
        row.save()


@transaction.atomic
def do_delete_post(access: Access, post: Post) -> None:
    """Delete a post with its variants, history and comments.

    A scheduled post is refused: it is due to go out, so it must first be
    unscheduled, a step the workflow records. Its media stay in the library.
    """
    check_action(access, Action.WRITE_POSTS)
    locked = Post.objects.select_for_update().filter(pk=post.pk, workspace=access.workspace).first()
    if locked is None:
        raise Http404
    if locked.state == PostState.SCHEDULED:
        raise ValidationError(_("This post is scheduled: unschedule it before deleting it."))
    record(access, access.workspace, "delete", locked, snapshot(locked))
    locked.delete()
