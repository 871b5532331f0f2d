"""Reminder publishing: for networks with no usable API, a person posts by hand.

At the due time the target waits for a person ("awaiting"); the publishers get
a notification linking to a mobile-friendly page with the text and media
ready to copy and download (views_reminders.py). They mark it published with
its address, or skip it with a reason (decisions.py).
"""

from __future__ import annotations

from .models import Outcome, Target, TargetState


def remind(target: Target):
    from .settlement import Settlement

    return Settlement(TargetState.AWAITING, Outcome.REMINDED)
