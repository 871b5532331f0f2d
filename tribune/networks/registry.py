"""The one list of connectors: network key -> dotted path, imported on first use."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from .base import Connector

CONNECTORS: dict[str, str] = {
    "bluesky": "tribune.networks.bluesky.connector.BlueskyConnector",
    "mastodon": "tribune.networks.mastodon.connector.MastodonConnector",
    "mediawiki": "tribune.networks.mediawiki.connector.MediaWikiConnector",
    "wordpress": "tribune.networks.wordpress.connector.WordPressConnector",
}


@cache
def connector_class(key: str) -> type[Connector]:
    """Return the connector class for a network key; KeyError for a network without one."""
    return import_string(CONNECTORS[key])


def has_connector(key: str) -> bool:
    return key in CONNECTORS
