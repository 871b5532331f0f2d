"""Pages of the composer: the post list, writing a post once, adapting it per network.

Views are thin: forms validate, `actions_posts` writes, `composer` computes
counts, problems and previews.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.strategy.catalog import network_name, network_options
from tribune.strategy.models import Persona
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from .actions import access_post
from .actions_posts import (
    PostFilters,
    do_create_post,
    do_delete_post,
    do_update_post,
    posts_for,
    variants_of,
)
from .choices import PostFormat, PostState
from .composer import variant_status
from .forms_posts import MEDIA_CHOICES, PostForm, VariantForm
from .models import ContentPillar, MediaAsset, Post

# Posts per page: a long list stays quick to render and to read.
PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view()
def post_list(request, access):
    get = request.GET
    filters = PostFilters(
        state=get.get("state", ""),
        network=get.get("network", ""),
        format=get.get("format", ""),
        persona=_int(get.get("persona")),
        pillar=_int(get.get("pillar")),
        q=get.get("q", "").strip()[:100],
    )
    page = Paginator(posts_for(access, filters), PAGE_SIZE).get_page(get.get("page"))
    for post in page.object_list:
        post.network_names = [network_name(v.network) for v in post.variants.all()]
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "editorial/post_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "states": PostState.choices,
            "formats": PostFormat.choices,
            "networks": network_options(),
            "personas": Persona.objects.filter(workspace=access.workspace).only("id", "name"),
            "pillars": ContentPillar.objects.filter(workspace=access.workspace),
            "can_write": access.can(Action.WRITE_POSTS),
        },
    )


@workspace_view(Action.WRITE_POSTS)
def post_create(request, access):
    form = PostForm(request.POST or None, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        post = do_create_post(access, form)
        messages.success(request, _("Post created. Now adapt it for each network."))
        return redirect("post-edit", access.workspace.slug, post.pk)
    return render(request, "editorial/post_create.html", {"form": form})


@workspace_view()
def post_detail(request, access, post_id: int):
    post = access_post(access, post_id)
    statuses = [variant_status(v) for v in variants_of(post)]
    return render(
        request,
        "editorial/post_detail.html",
        {
            "post": Post.objects.select_related("persona", "pillar", "author").get(pk=post.pk),
            "objectives": post.objectives.all(),
            "statuses": statuses,
            "problem_count": sum(len(s.problems) for s in statuses),
            "can_write": access.can(Action.WRITE_POSTS),
        },
    )


def _media_choices(access, post: Post) -> list[MediaAsset]:
    """Return the media a variant may pick: the newest, plus any the post already uses."""
    newest = list(MediaAsset.objects.filter(workspace=access.workspace)[:MEDIA_CHOICES])
    used = MediaAsset.objects.filter(workspace=access.workspace, variants__post=post).exclude(
        pk__in=[m.pk for m in newest]
    )
    return newest + list(used.distinct())


@workspace_view(Action.WRITE_POSTS)
def post_edit(request, access, post_id: int):
    post = access_post(access, post_id)
    data = request.POST or None
    form = PostForm(data, instance=post, workspace=access.workspace)
    media_choices = _media_choices(access, post)
    variants = variants_of(post)
    variant_forms = [
        VariantForm(
            data,
            network=v.network,
            workspace=access.workspace,
            variant=v,
            media_choices=media_choices,
        )
        for v in variants
    ]
    if request.method == "POST":
        if form.is_valid() and all(f.is_valid() for f in variant_forms):
            do_update_post(access, post, form, variant_forms)
            messages.success(request, _("Post saved."))
            return redirect("post-edit", access.workspace.slug, post.pk)
        messages.error(request, _("The post was not saved: see the fields marked below."))
    for variant, vform in zip(variants, variant_forms, strict=True):
        vform.status = variant_status(variant)
        vform.attachments = list(variant.variantmedia_set.all())
    return render(
        request,
        "editorial/post_edit.html",
        {"post": post, "form": form, "variant_forms": variant_forms},
    )


@require_POST
@workspace_view(Action.WRITE_POSTS)
def variant_check(request, access, network: str):
    """Return one variant's count, problems and preview for the submitted fields (htmx)."""
    if network not in dict(network_options(include_closed=True)):
        raise Http404
    form = VariantForm(request.POST, network=network, workspace=access.workspace)
    form.is_valid()  # a bad link is reported by the form; the text is still counted
    variant = form.to_variant()
    media = list(form.cleaned_data.get("media") or [])
    alt_texts = form.bound_alt_texts()
    for asset in media:
        asset.alt_override = alt_texts.get(asset.pk, "")
    return render(
        request,
        "editorial/post_variant_check.html",
        {"status": variant_status(variant, media), "form": form},
    )


@require_POST
@workspace_view(Action.WRITE_POSTS)
def post_delete(request, access, post_id: int):
    post = access_post(access, post_id)
    try:
        do_delete_post(access, post)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("post-detail", access.workspace.slug, post.pk)
    messages.success(request, _("Post deleted."))
    return redirect("post-list", access.workspace.slug)
