"""The account's conversations on a wiki: the comments on its talk pages, and its replies.

Which talk pages: the account's user talk page, then the talk pages of the
pages it edited most recently (its last 500 contributions), 50 in all: one
query reads them. Their signed comments are read out of the wikitext (talk.py
says which simple rules are followed); the account's own comments are left out.

A comment's reference is `<talk pageid>#<comment key>`. A reply goes under the
comment it answers, one colon deeper and signed with `~~~~`, saved with the
revision it was placed in as its base so that the wiki merges or refuses a
concurrent edit; a reply to a published page opens a new thread on its talk
page. A reply already there (same thread, same author, same text) is not
added again, so a retried reply does not post twice.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from ..base import InboxItem, RemoteRef
from ..errors import ConnectorError
from . import talk
from .session import WikiSession, edit_result, wiki_time
from .site import Site

# One query reads at most 50 pages' content (API:Query, `titles` limit without apihighlimits).
TALK_PAGES_MAX = 50


class Discussions:
    def __init__(self, wiki: WikiSession):
        self.wiki = wiki

    def inbox(self, since: datetime | None) -> list[InboxItem]:
        """Return the signed comments of the account's talk pages, newer than `since`."""
        site = self.wiki.site()
        params = {
            "action": "query",
            "prop": "revisions",
            "titles": "|".join(self._talk_pages(site)),
            "rvprop": "ids|timestamp|content",
            "rvslots": "main",
        }
        items: list[InboxItem] = []
        for batch in self.wiki.read_all(params):
            for page in batch.get("query", {}).get("pages", []):
                if page.get("revisions"):
                    items.extend(self._comments(site, page, since))
        return items

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        """Answer a comment under it, or open a thread on a published page's talk page.

        Returns the reply's revision, or the reply already there when it was made before.
        """
        site = self.wiki.site()
        if to.extra.get("page"):
            title = to.extra["page"]
        elif to.extra.get("title"):
            title = site.talk_title(to.extra["title"])
        else:
            raise ConnectorError(_("Tribune cannot tell which talk page this is."), permanent=True)
        current = self._talk_page(title)
        wikitext = talk_text(current) if current else ""
        found = talk.comments(wikitext, site.signatures())
        heading = to.extra.get("thread") or ("" if to.extra.get("page") else thread_heading(text))
        place = talk.place_reply(
            wikitext, found, to.extra.get("comment", ""), heading, int(to.extra.get("depth") or 0)
        )
        earlier = talk.earlier_reply(found, place, self.wiki.user, text)
        if earlier and current:
            return comment_ref(site, current["pageid"], title, earlier)
        if place.thread is None or current is None:
            heading, depth = place.heading or thread_heading(text), 0
            params = {"section": "new", "sectiontitle": heading}
            params["text"] = talk.signed_reply(text, depth)
        else:
            heading, depth = place.heading, place.depth
            revision = current["revisions"][0]
            params = {
                "nocreate": "1",
                "text": talk.insert_reply(wikitext, place.thread, talk.signed_reply(text, depth)),
                "summary": f"/* {heading} */ {_('reply')}" if heading else _("reply"),
                # A concurrent edit is merged by the wiki, or refused as a conflict.
                "baserevid": str(revision["revid"]),
                "basetimestamp": revision["timestamp"],
            }
        edit = edit_result(self.wiki.write({"action": "edit", "title": title, **params}))
        revid = edit.get("newrevid") or self.wiki.current_revision(edit["pageid"])["revid"]
        return RemoteRef(
            remote_id=f"{edit['pageid']}:{revid}",
            url=site.revision_url(title, revid),
            extra={"page": title, "thread": heading, "depth": str(depth)},
        )

    def _talk_page(self, title: str) -> dict | None:
        query = self.wiki.read(
            {
                "action": "query",
                "prop": "revisions",
                "titles": title,
                "rvprop": "ids|timestamp|content",
                "rvslots": "main",
            }
        )["query"]
        page = query["pages"][0]
        return None if page.get("missing") or not page.get("revisions") else page

    def _talk_pages(self, site: Site) -> list[str]:
        contributions = self.wiki.read(
            {
                "action": "query",
                "list": "usercontribs",
                "ucuser": self.wiki.user,
                "ucprop": "title",
                "uclimit": "max",
            }
        )["query"]["usercontribs"]
        titles = {site.talk_title(site.user_page(self.wiki.user)): None}
        for contribution in contributions:
            if contribution["ns"] >= 0:
                titles.setdefault(site.talk_title(contribution["title"]), None)
        return list(titles)[:TALK_PAGES_MAX]

    def _comments(self, site: Site, page: dict, since: datetime | None) -> list[InboxItem]:
        changed = wiki_time(page["revisions"][0]["timestamp"])
        if since and changed < since:
            return []
        found = talk.comments(talk_text(page), site.signatures())
        items = []
        for index, comment in enumerate(found):
            created = comment.signed_at or changed
            if comment.author == self.wiki.user or (since and created < since):
                continue
            answered = answered_by(found[:index], comment)
            items.append(
                InboxItem(
                    ref=comment_ref(site, page["pageid"], page["title"], comment),
                    author=comment.author,
                    text=comment.text,
                    created_at=created,
                    in_reply_to=(
                        comment_ref(site, page["pageid"], page["title"], answered)
                        if answered
                        else None
                    ),
                )
            )
        return items


def answered_by(earlier: list[talk.Comment], comment: talk.Comment) -> talk.Comment | None:
    """The comment `comment` answers: the last one above it in its thread, less indented."""
    return next(
        (
            previous
            for previous in reversed(earlier)
            if previous.thread == comment.thread and previous.depth < comment.depth
        ),
        None,
    )


def comment_ref(site: Site, pageid: int, title: str, comment: talk.Comment) -> RemoteRef:
    return RemoteRef(
        remote_id=f"{pageid}#{comment.key}",
        url=site.page_url(title, comment.thread.heading),
        extra={
            "page": title,
            "comment": comment.key,
            "thread": comment.thread.heading,
            "depth": str(comment.depth),
        },
    )


def talk_text(page: dict) -> str:
    return page["revisions"][0]["slots"]["main"].get("content", "")


def thread_heading(text: str) -> str:
    """A heading for a new thread: the reply's first words, without heading markup."""
    words = " ".join(text.replace("=", " ").split())
    return words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"
