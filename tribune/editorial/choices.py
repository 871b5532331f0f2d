"""Vocabularies of the editorial calendar: post formats (from the seed) and workflow states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PostFormat(models.TextChoices):
    """The communication formats the seed article lists."""

    ORGANIC = "organic", _("Organic post")
    SPONSORED = "sponsored", _("Sponsored post")
    PERSONAL = "personal", _("Personal or user-generated (contest, selfie, branded hashtag)")
    SHARE = "share", _("Share")
    NEWSJACKING = "newsjacking", _("Newsjacking")
    SOCIAL_SELLING = "social_selling", _("Social selling")
    INFLUENCER = "influencer", _("Influencer relation")
    MICRO_ENDORSEMENT = "micro_endorsement", _("Micro-endorsement")


class PostState(models.TextChoices):
    """Where a post stands. The publishing states follow from its targets (publishing/rollup.py)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    PARTIALLY_PUBLISHED = "partially_published", _("Partially published")
    FAILED = "failed", _("Publishing failed")
    OUTCOME_UNKNOWN = "outcome_unknown", _("Outcome unknown")


class Severity(models.TextChoices):
    """What a calendar finding does to scheduling; owners choose per rule."""

    BLOCK = "block", _("Blocks scheduling")
    WARN = "warn", _("Warns only")
    OFF = "off", _("Not checked")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
