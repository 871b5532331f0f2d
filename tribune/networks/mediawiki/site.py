"""What Tribune needs to know about one wiki: its addresses and its namespace names.

Read once per session from `meta=siteinfo` (mediawiki.org/wiki/API:Siteinfo), so
that links point where the wiki says its pages live and talk pages are found in
the wiki's own language ("Talk:", "Discussion:", "Diskussion:").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .talk import Signatures

# Characters MediaWiki leaves unescaped in page addresses (wfUrlencode).
TITLE_SAFE = ";@$!*(),/~:"
USER, USER_TALK, SPECIAL = 2, 3, -1


@dataclass(frozen=True)
class Site:
    server: str  # "https://wiki.example"
    script: str  # "/w/index.php"
    article_path: str  # "/wiki/$1"
    # Namespace id -> its names: the local one first, then the canonical one and aliases.
    namespaces: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_siteinfo(cls, api_url: str, query: dict) -> Site:
        general = query["general"]
        server = general["server"]
        if server.startswith("//"):  # Wikimedia wikis name their server without a scheme
            server = f"{urlsplit(api_url).scheme}:{server}"
        names: dict[int, list[str]] = {}
        for namespace in query.get("namespaces", {}).values():
            names[int(namespace["id"])] = [namespace["name"], namespace.get("canonical", "")]
        for alias in query.get("namespacealiases", []):
            names.setdefault(int(alias["id"]), [""]).append(alias["alias"])
        namespaces = {
            key: tuple(dict.fromkeys(v for v in values if v)) for key, values in names.items()
        }
        return cls(server, general["script"], general["articlepath"], namespaces)

    def name(self, namespace: int) -> str:
        return (self.namespaces.get(namespace) or ("",))[0]

    def split(self, title: str) -> tuple[int, str]:
        """Return a title's namespace id and its name within the namespace."""
        prefix, colon, rest = title.partition(":")
        if colon:
            wanted = prefix.replace("_", " ").strip().casefold()
            for namespace, names in self.namespaces.items():
                if namespace and any(n.casefold() == wanted for n in names):
                    return namespace, rest.strip()
        return 0, title.strip()

    def talk_title(self, title: str) -> str:
        """Return the title of the talk page that goes with `title` (itself for a talk page)."""
        namespace, rest = self.split(title)
        if namespace % 2 == 1:
            return title
        return f"{self.name(namespace + 1)}:{rest}"

    def user_page(self, user: str) -> str:
        return f"{self.name(USER)}:{user}"

    def page_url(self, title: str, anchor: str = "") -> str:
        url = self.server + self.article_path.replace("$1", quote(_dbkey(title), safe=TITLE_SAFE))
        return f"{url}#{quote(_dbkey(anchor), safe=TITLE_SAFE + '.')}" if anchor else url

    def revision_url(self, title: str, revid: int | str) -> str:
        return (
            f"{self.server}{self.script}?title={quote(_dbkey(title), safe=TITLE_SAFE)}"
            f"&oldid={revid}"
        )

    def signatures(self) -> Signatures:
        return Signatures(
            user=self.namespaces.get(USER, ("User",)),
            user_talk=self.namespaces.get(USER_TALK, ("User talk",)),
            special=self.namespaces.get(SPECIAL, ("Special",)),
        )


def _dbkey(title: str) -> str:
    return title.strip().replace(" ", "_")
