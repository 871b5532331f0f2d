"""Steps the cross-area browser tests share: dragging on FullCalendar, the checks panel."""

from __future__ import annotations

from django.urls import reverse


def move_url(slug: str, post_id: int) -> str:
    """The "move to" form, the only page that gives a never-planned post its first time."""
    return reverse("calendar-move", args=[slug, post_id])


def settled(page) -> None:
    """Wait until the calendar has no request in flight (its aria-busy) and has drawn.

    After a move the calendar fetches its events again and draws them anew; an
    element grabbed before that is detached mid-drag.
    """
    page.locator('#calendar[aria-busy="false"]').wait_for()
    two_frames = "() => new Promise(go => requestAnimationFrame(() => requestAnimationFrame(go)))"
    page.evaluate(two_frames)


def drag(page, source, target) -> None:
    """Drag `source` onto `target` with the mouse, as FullCalendar expects.

    FullCalendar listens to mouse events on the document and starts a drag only
    after the pointer has moved a few pixels with the button down; both ends
    must be on screen, so the viewport is made tall enough for a month.
    """
    page.set_viewport_size({"width": 1280, "height": 1600})
    settled(page)
    source.scroll_into_view_if_needed()
    box, goal = source.bounding_box(), target.bounding_box()
    x, y = box["x"] + 8, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 4):
        page.mouse.move(x + 4 * step, y + 4 * step)
        page.wait_for_timeout(30)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 10, steps=15)
    page.wait_for_timeout(100)
    page.mouse.up()


def wait_for_checks(page) -> None:
    """Wait until htmx has swapped the calendar check into the page beside the calendar."""
    page.locator("aside #calendar-checks-panel").wait_for()
