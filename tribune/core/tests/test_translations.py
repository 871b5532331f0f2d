"""The French catalogue is complete, compiled, typographically French, and used.

polib is not a dependency, so a small reader below parses the .po files; the
compiled .mo is read with the standard library's gettext.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tribune.workspaces.models import User, Workspace

LOCALE = Path(settings.LOCALE_PATHS[0])
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FR_MO = LOCALE / "fr" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*[sdif]|%[sdif]|<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file, header first; obsolete (#~) entries are left out.

    gettext's tools and Django's makemessages separate entries by a blank line,
    so each block of lines is one entry.
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                assert target is not None, f"{path}: text outside an entry: {line!r}"
                target(ast.literal_eval(line))
            else:
                keyword, _, rest = line.partition(" ")
                target = _setter(entry, keyword)
                target(ast.literal_eval(rest))
        if target is not None:
            entries.append(entry)
    return entries


def _setter(entry: Entry, keyword: str):
    """Return a function appending text to the field `keyword` names."""
    plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
    if plural:
        index = int(plural.group(1))
        entry.msgstr_plural[index] = ""

        def append_plural(text: str) -> None:
            entry.msgstr_plural[index] += text

        return append_plural
    assert keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}, keyword
    setattr(entry, keyword, "")

    def append(text: str) -> None:
        setattr(entry, keyword, getattr(entry, keyword) + text)

    return append


def messages(path: Path) -> list[Entry]:
    return [e for e in read_po(path) if e.msgid]


def test_it_reads_every_french_entry() -> None:
    entries = messages(FR_PO)
    assert len(entries) > 300
    assert any(e.msgid_plural for e in entries)


def test_it_has_no_empty_french_translation() -> None:
    empty = [e.msgid for e in messages(FR_PO) if not all(e.translations())]
    assert empty == []


def test_it_has_no_fuzzy_french_translation() -> None:
    entries = read_po(FR_PO)
    assert "fuzzy" not in entries[0].flags, "the header is marked fuzzy"
    assert [e.msgid for e in entries[1:] if "fuzzy" in e.flags] == []


def test_it_keeps_placeholders_and_tags() -> None:
    wrong = []
    for e in messages(FR_PO):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for i, text in enumerate(e.translations()):
            source = sources[min(i, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert wrong == []


def test_it_follows_french_typography() -> None:
    # A plain space before : ; ? ! would let the sign start a new line; French
    # text uses a no-break space there, and one apostrophe style throughout.
    loose = [
        t for e in messages(FR_PO) for t in e.translations() if re.search(r" (?:[:;?!»]|%%)|« ", t)
    ]
    straight = [t for e in messages(FR_PO) for t in e.translations() if re.search(r"\w'\w", t)]
    assert loose == []
    assert straight == []


def test_it_compiled_the_french_catalogue() -> None:
    with FR_MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in messages(FR_PO):
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled._catalog.get(key) != e.msgstr:
                stale.append(e.msgid)
        elif any(compiled._catalog.get((key, i)) != t for i, t in e.msgstr_plural.items()):
            stale.append(e.msgid)
    assert stale == [], "run `tribune compilemessages`"


def test_it_keeps_english_as_the_source() -> None:
    french = {(e.msgctxt, e.msgid) for e in messages(FR_PO)}
    english = messages(EN_PO)
    assert {(e.msgctxt, e.msgid) for e in english} == french
    assert [e.msgid for e in english if any(e.translations())] == []


@pytest.mark.parametrize(
    ("language", "expected", "unexpected"),
    [("fr", "Connaître sa cible", "Know your target"), ("en", "Know your target", "Connaître")],
)
def test_it_renders_pages_in_the_users_language(
    client, workspace: Workspace, alice: User, language: str, expected: str, unexpected: str
) -> None:
    alice.language = language
    alice.save(update_fields=["language"])
    client.force_login(alice)
    response = client.get(reverse("workspace-overview", args=[workspace.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert expected in html
    assert unexpected not in html


def test_it_translates_lazy_labels_for_a_french_user(client, workspace, alice) -> None:
    alice.language = "fr"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    html = client.get(reverse("team", args=[workspace.slug])).content.decode()
    assert "Propriétaire" in html
    assert "Owner" not in html
