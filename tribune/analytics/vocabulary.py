"""Tribune's one vocabulary of social metrics. Each network's own names map onto it
(docs/analytics.md has the table); the network's name is kept beside the value.

Definitions shown wherever a figure appears (DEFINITIONS) are the only ones:
every derived figure is computed from these sums, nowhere else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    VIEWS = "views", _("Views")
    REACH = "reach", _("Reach")
    ENGAGEMENTS = "engagements", _("Engagements")
    LIKES = "likes", _("Likes")
    COMMENTS = "comments", _("Comments")
    SHARES = "shares", _("Shares")
    SAVES = "saves", _("Saves")
    CLICKS = "clicks", _("Clicks")
    VIDEO_VIEWS = "video_views", _("Video views")
    FOLLOWERS = "followers", _("Followers")
    NEW_FOLLOWERS = "new_followers", _("New followers")


# Counters that only grow on one published item: a day's figure is the increase.
POST_COUNTERS = (
    Metric.VIEWS,
    Metric.REACH,
    Metric.ENGAGEMENTS,
    Metric.LIKES,
    Metric.COMMENTS,
    Metric.SHARES,
    Metric.SAVES,
    Metric.CLICKS,
    Metric.VIDEO_VIEWS,
)
# Levels of an account: a day's figure is the last reading of the day.
ACCOUNT_LEVELS = (Metric.FOLLOWERS,)
FIELDS = tuple(m.value for m in Metric)

DEFINITIONS = {
    Metric.VIEWS: _("Times the post was shown (impressions, or views where the network "
                    "counts views)."),
    Metric.REACH: _("Distinct people the post was shown to, where the network says."),
    Metric.ENGAGEMENTS: _("Likes + comments + shares + saves + clicks, unless the network "
                          "gives its own total."),
    Metric.LIKES: _("Likes, favourites and reactions."),
    Metric.COMMENTS: _("Comments and replies."),
    Metric.SHARES: _("Shares, reposts, boosts and reblogs."),
    Metric.SAVES: _("Saves and bookmarks."),
    Metric.CLICKS: _("Clicks on the post's link: the network's count, plus Tribune's short "
                     "links."),
    Metric.VIDEO_VIEWS: _("Video plays as the network counts them."),
    Metric.FOLLOWERS: _("Followers of the account at the end of the day."),
    Metric.NEW_FOLLOWERS: _("Followers gained during the day (the rise of the count)."),
}  # fmt: skip

ENGAGEMENT_RATE = _(
    "Engagement rate = engagements ÷ views × 100, over the same posts and period. "
    "Posts whose network gives no views are left out of both sums."
)


def engagements(values: dict[str, int | None]) -> int:
    """The engagement total of one reading: the network's own, else the sum of its parts."""
    own = values.get(Metric.ENGAGEMENTS)
    if own is not None:
        return int(own)
    parts = (Metric.LIKES, Metric.COMMENTS, Metric.SHARES, Metric.SAVES, Metric.CLICKS)
    return sum(int(values.get(p) or 0) for p in parts)


def engagement_rate(engaged: int, views: int) -> float | None:
    """Percent, or None when there were no views to divide by."""
    return round(engaged * 100 / views, 2) if views else None
