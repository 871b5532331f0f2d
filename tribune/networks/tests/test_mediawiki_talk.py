"""Reading talk pages (tribune/networks/mediawiki/talk.py) and the wiki's addresses (site.py).

The wikitext below follows what MediaWiki writes for `~~~~` (seen on the real
wiki of test_mediawiki_server.py) and, for French, what fr.wikipedia.org's
signatures look like.
"""

from datetime import UTC, datetime

from tribune.networks.contract import recorded
from tribune.networks.mediawiki import talk
from tribune.networks.mediawiki.site import Site

ENGLISH = talk.Signatures(user=("User",), user_talk=("User talk",), special=("Special",))
FRENCH = talk.Signatures(
    user=("Utilisateur", "User"),
    user_talk=("Discussion utilisateur", "User talk"),
    special=("Spécial", "Special"),
)
VISITOR = "[[User:Visitor|Visitor]] ([[User talk:Visitor|talk]]) 09:30, 26 November 2026 (UTC)"


def test_it_reads_an_english_signature_and_its_time():
    [comment] = talk.comments(f"== Stock ==\nIs the Guji in stock? {VISITOR}", ENGLISH)
    assert (comment.author, comment.text, comment.depth) == ("Visitor", "Is the Guji in stock?", 0)
    assert comment.signed_at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert comment.thread.heading == "Stock"


def test_it_reads_an_unregistered_editors_signature():
    text = (
        "== Hours ==\nOpen on Sunday? [[Special:Contributions/127.0.0.1|127.0.0.1]] "
        "12:39, 26 November 2026 (UTC)"
    )
    [comment] = talk.comments(text, ENGLISH)
    assert (comment.author, comment.text) == ("127.0.0.1", "Open on Sunday?")


def test_it_reads_a_signature_in_the_wikis_language_without_its_time():
    text = (
        "== Torréfaction ==\nQuelle origine ? -- [[Utilisateur:Jean_dupont|Jean]] "
        "([[Discussion utilisateur:Jean_dupont|discuter]]) 26 novembre 2026 à 10:02 (CET)"
    )
    [comment] = talk.comments(text, FRENCH)
    assert (comment.author, comment.text) == ("Jean dupont", "Quelle origine ?")
    assert comment.signed_at is None


def test_it_leaves_out_unsigned_text_and_users_named_in_passing():
    text = (
        "== Question ==\nAsk [[User:Bob|Bob]] about it, he knows the roaster.\n"
        f":He told me: on Friday. {VISITOR}"
    )
    [comment] = talk.comments(text, ENGLISH)
    assert (comment.author, comment.text, comment.depth) == ("Visitor", "He told me: on Friday.", 1)


def test_it_keeps_a_comment_of_several_lines_together():
    text = f"== Idea ==\nA tasting evening?\n\nWith three origins. {VISITOR}\n:Agreed. {VISITOR}"
    first, second = talk.comments(text, ENGLISH)
    assert first.text == "A tasting evening?\n\nWith three origins."
    assert (second.text, second.depth) == ("Agreed.", 1)
    assert first.key != second.key


def test_it_gives_a_comment_the_same_key_on_every_reading():
    text = f"== Stock ==\nIs the Guji in stock? {VISITOR}"
    assert talk.comments(text, ENGLISH)[0].key == talk.comments(text + "\n", ENGLISH)[0].key


def test_it_inserts_a_reply_at_the_end_of_its_thread():
    text = f"Lead.\n== One ==\nFirst? {VISITOR}\n\n== Two ==\nSecond? {VISITOR}"
    one = talk.threads(text)[1]
    assert one.heading == "One"
    changed = talk.insert_reply(text, one, talk.signed_reply("Yes.\nGladly.", 1))
    assert changed == (
        f"Lead.\n== One ==\nFirst? {VISITOR}\n:Yes.\n:Gladly. ~~~~\n\n== Two ==\nSecond? {VISITOR}"
    )
    [first, _reply, second] = talk.comments(changed.replace("~~~~", VISITOR), ENGLISH)
    assert (first.thread.heading, second.thread.heading) == ("One", "Two")


def test_it_places_a_reply_by_comment_then_by_heading_then_in_a_new_thread():
    text = f"== Stock ==\nIs the Guji in stock? {VISITOR}"
    found = talk.comments(text, ENGLISH)
    by_comment = talk.place_reply(text, found, found[0].key, "", 0)
    assert (by_comment.heading, by_comment.depth) == ("Stock", 1)
    by_heading = talk.place_reply(text, found, "gone", "Stock", 2)
    assert (by_heading.thread, by_heading.depth) == (found[0].thread, 3)
    elsewhere = talk.place_reply(text, found, "", "Archived question", 2)
    assert (elsewhere.thread, elsewhere.heading, elsewhere.depth) == (None, "Archived question", 0)


def site() -> Site:
    query = recorded("mediawiki__login_token")["query"]
    return Site.from_siteinfo("https://wiki.example/w/api.php", query)


def test_it_finds_the_talk_page_of_any_page_in_the_wikis_names():
    wiki = site()
    assert wiki.talk_title("Roast notes") == "Talk:Roast notes"
    assert wiki.talk_title("Talk:Roast notes") == "Talk:Roast notes"
    assert wiki.talk_title("Brûlerie wiki:About") == "Brûlerie wiki talk:About"
    assert wiki.talk_title("user:Admin") == "User talk:Admin"


def test_it_builds_the_wikis_own_addresses():
    wiki = site()
    assert wiki.page_url("Café & thé?", "Prix et stock") == (
        "https://wiki.example/wiki/Caf%C3%A9_%26_th%C3%A9%3F#Prix_et_stock"
    )
    assert wiki.revision_url("Roast notes", 4) == (
        "https://wiki.example/w/index.php?title=Roast_notes&oldid=4"
    )


def test_it_adds_the_scheme_to_a_server_named_without_one():
    query = recorded("mediawiki__login_token")["query"]
    query["general"]["server"] = "//wiki.example"
    wiki = Site.from_siteinfo("https://wiki.example/w/api.php", query)
    assert wiki.page_url("Main Page") == "https://wiki.example/wiki/Main_Page"
