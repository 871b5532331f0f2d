"""What to do about a publication that needs a person: one piece of advice per Problem.

The panel, the reminder list and the API show the same sentences, so a
member reads the same next step wherever they meet the target. Each piece
of advice may carry a link to the page where the step is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Problem, Target, TargetState

ADVICE: dict[str, Promise] = {
    Problem.AUTH: _("Reconnect the account, then retry."),
    Problem.ACCOUNT: _("The account is disconnected: reconnect it, then retry."),
    Problem.REJECTED: _("Edit the text for this network, then retry."),
    Problem.INVALID: _("Fix what this network's rules refuse in its version of the post, "
                       "then retry."),
    Problem.MEDIA: _("Attach the media file again in the post's editor (it is missing from "
                     "storage), then retry."),
    Problem.GAVE_UP: _("The network kept failing. Check that it works (its status page), then "
                       "retry."),
    Problem.MISSED: _(
        "Retry to publish it now. To choose a new time, move the post back to draft and "
        "schedule it again."
    ),
    Problem.UNKNOWN: _("Check the account on the network: if the post is there, paste its "
                       "address; if not, publish again."),
}  # fmt: skip

BY_HAND = _("Post it by hand from the reminder page, then give its address here.")
# A failed target always carries a problem; this covers rows written before one existed.
FALLBACK = _("Read the network's message, then retry.")


@dataclass(frozen=True)
class Advice:
    text: str
    link: str = ""
    link_label: str = ""


def accounts_url(slug: str) -> str:
    """The accounts page; its literal path while the accounts area is not mounted."""
    try:
        return reverse("accounts", args=[slug])
    except NoReverseMatch:
        return f"/w/{slug}/accounts/"


def advice_for(target: Target, slug: str) -> Advice | None:
    """Return what a person should do next about the target, or None when nothing is needed."""
    if target.state == TargetState.AWAITING:
        link = reverse("publishing-reminder", args=[slug, target.pk])
        return Advice(str(BY_HAND), link, str(_("Open the reminder")))
    if target.state not in (TargetState.FAILED, TargetState.UNKNOWN):
        return None
    problem = target.problem or (Problem.UNKNOWN if target.state == TargetState.UNKNOWN else "")
    text = str(ADVICE.get(problem, FALLBACK))
    if problem in (Problem.AUTH, Problem.ACCOUNT):
        return Advice(text, accounts_url(slug), str(_("Open the accounts page")))
    if problem in (Problem.REJECTED, Problem.INVALID, Problem.MEDIA):
        link = reverse("post-edit", args=[slug, target.post_id])
        return Advice(text, link, str(_("Edit the post")))
    return Advice(text)
