"""Vocabularies from the method: levers, KPIs, persona kinds, content formats."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Lever(models.TextChoices):
    """The development levers a social media strategy serves (seed article)."""

    VISIBILITY = "visibility", _("Increase visibility")
    TRAFFIC = "traffic", _("Qualified traffic to the site")
    SALES = "sales", _("Promote products and drive purchase")
    ACQUISITION = "acquisition", _("New clients and partners")
    PROXIMITY = "proximity", _("Closeness to clients and ambassadors")
    EXPERTISE = "expertise", _("Expertise and positioning")
    REPUTATION = "reputation", _("E-reputation")
    MONITORING = "monitoring", _("Monitoring")


class Kpi(models.TextChoices):
    """Performance indicators the seed lists, plus a custom one."""

    AUDIENCE = "audience", _("Audience")
    NEW_FOLLOWERS = "new_followers", _("New followers")
    SITE_TRAFFIC = "site_traffic", _("Site traffic")
    DOWNLOADS = "downloads", _("Downloads")
    PRESS_COVERAGE = "press_coverage", _("Press coverage")
    SALES = "sales", _("Sales or pre-orders")
    CONTACTS = "contacts", _("Contacts")
    LIKES = "likes", _("Likes")
    COMMENTS = "comments", _("Comments")
    SHARES = "shares", _("Shares")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate (%)")
    RESPONSE_TIME = "response_time", _("Response time (minutes)")
    CUSTOM = "custom", _("Custom indicator")


# KPIs where a lower value is better: progress runs downwards.
LOWER_IS_BETTER = frozenset({Kpi.RESPONSE_TIME})


class Audience(models.TextChoices):
    B2B = "b2b", _("B2B")
    B2C = "b2c", _("B2C")
    BOTH = "both", _("B2B and B2C")


class ContentFormat(models.TextChoices):
    """Content formats a persona prefers; match the reference data's format keys."""

    TEXT = "text", _("Short text")
    ARTICLE = "article", _("Long article")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    SHORT_VIDEO = "short_video", _("Short vertical video")
    LIVE = "live", _("Live")
    STORY = "story", _("Story")
    DOCUMENT = "document", _("Document or presentation")
    MESSAGE = "message", _("Direct message")
    EVENT = "event", _("Event")
