"""Links as they go out: UTM-tagged per network, optionally through a Tribune short link.

`tag_link` appends utm_source, utm_medium and utm_campaign to the query string as
written, so the parameters already there keep their order and their encoding,
and the fragment stays last. A utm_* parameter the author wrote is kept: it was
chosen on purpose.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from .models import EditorialSettings, ShortLink, Variant

# 62 letters and digits: 9 of them are 53 bits, too many to guess, short to type.
CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CODE_LENGTH = 9


def utm_source(network: str, settings: EditorialSettings) -> str:
    """Return the utm_source for a network: the workspace's choice, else the network key."""
    return (settings.utm_sources or {}).get(network) or network


def tag_link(url: str, network: str, settings: EditorialSettings, campaign: str = "") -> str:
    """Return `url` with UTM parameters for `network`; unchanged when tagging is off.

    Only http(s) links are tagged. `campaign` (a post's own) wins over the
    workspace's default utm_campaign; an empty medium or campaign is left out.
    """
    if not settings.tag_links:
        return url
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return url
    present = {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}
    wanted = [
        ("utm_source", utm_source(network, settings)),
        ("utm_medium", settings.utm_medium),
        ("utm_campaign", campaign or settings.utm_campaign),
    ]
    added = [(key, value) for key, value in wanted if value and key not in present]
    if not added:
        return url
    query = "&".join(q for q in (parts.query, urlencode(added)) if q)
    return urlunsplit(parts._replace(query=query))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def short_link_for(variant: Variant, url: str) -> ShortLink:
    """Return the variant's short link to `url`, creating it the first time.

    The same variant and URL always give the same link, so clicks add up in
    one place however often a post is saved.
    """
    workspace_id = variant.post.workspace_id
    found = ShortLink.objects.filter(variant=variant, target_url=url).first()
    if found is not None:
        return found
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    workspace_id=workspace_id, variant=variant, target_url=url, code=new_code()
                )
        except IntegrityError:
            continue  # the code was taken: draw another
    raise RuntimeError("could not draw a free short-link code in 5 attempts")


def short_url(link: ShortLink) -> str:
    """Return the absolute address of a short link, on the site's public address."""
    return django_settings.SITE_URL + reverse("short-link", args=[link.code])


def outgoing_link(variant: Variant, settings: EditorialSettings, campaign: str = "") -> str:
    """Return the link a variant publishes: tagged, and shortened when the workspace says so.

    `campaign` defaults to the variant's options["utm_campaign"] when it has one.
    Returns "" when the variant has no link.
    """
    if not variant.link:
        return ""
    campaign = campaign or str((variant.options or {}).get("utm_campaign") or "")
    tagged = tag_link(variant.link, variant.network, settings, campaign)
    if not settings.shorten_links:
        return tagged
    return short_url(short_link_for(variant, tagged))
