"""Search finds Japanese text without word boundaries, folds width and case (NFKC), treats LIKE
wildcards literally, and never reveals deleted or hidden text; identical on SQLite and
PostgreSQL (the same query runs on both)."""
from __future__ import annotations


import pytest

from app.forum import search, services
from tests.forum.helpers import add_reply, forum_url, open_thread, thread_titles
from tests.people import client_for


def _found(db, space, query) -> list[str]:
    page = services.list_threads(db.session, space, query=query, per_page=50)
    return sorted(t.title for t in page.items)


@pytest.fixture
def threads(db, world):
    park = open_thread(db, world.space, world.author, "公園整備の優先順位", "北区の児童公園について")
    snow = open_thread(db, world.space, world.author, "除雪", "ｻｯﾎﾟﾛ駅前のＡＢＣ通りが危ない")
    add_reply(db, snow, world.participant, "札幌市役所に100%賛成_です")
    open_thread(db, world.space, world.author, "Bus Routes", "The bus to Makomanai")
    return park, snow


@pytest.mark.parametrize("query, expected", [
    ("公園", ["公園整備の優先順位"]),              # inside a word, no boundaries
    ("園整", ["公園整備の優先順位"]),              # any substring
    ("児童", ["公園整備の優先順位"]),              # in the body
    ("サッポロ", ["除雪"]),                        # half-width katakana in the text
    ("ｻｯﾎﾟﾛ", ["除雪"]),                          # ... and in the query
    ("abc", ["除雪"]),                             # full-width Latin, any case
    ("ＡＢＣ通り", ["除雪"]),
    ("市役所", ["除雪"]),                          # in a reply
    ("bus makomanai", ["Bus Routes"]),             # every term must match
    ("BUS 公園", []),
    ("100%", ["除雪"]),                            # % is literal
    ("%", ["除雪"]),
    ("_", ["除雪"]),                               # _ is literal
    ("賛成_", ["除雪"]),
    ("存在しない語", []),
])
def test_search(db, world, threads, query, expected):
    assert _found(db, world.space, query) == expected


def test_empty_query_lists_everything(db, world, threads):
    assert len(_found(db, world.space, "   ")) == 3


def test_search_is_limited_to_the_space(db, make, world, threads):
    other = make.space("other-space")
    open_thread(db, other, world.author, "公園の別件", "よそ")
    assert _found(db, world.space, "公園") == ["公園整備の優先順位"]


def test_deleted_and_hidden_text_is_not_searchable(db, world, threads):
    from app.moderation import services as moderation

    park, snow = threads
    secret = add_reply(db, park, world.participant, "秘密の電話番号")
    rude = add_reply(db, park, world.participant, "失礼な言葉")
    services.delete_post(db.session, secret, world.participant)
    moderation.hide_post(db.session, rude, world.moderator, "harassment")
    db.session.commit()
    assert _found(db, world.space, "電話番号") == []
    assert _found(db, world.space, "失礼") == []


def test_edits_update_the_search_text(db, world, threads):
    park, _ = threads
    post = park.posts[0]
    services.edit_post(db.session, post, world.author, "南区の運動公園について")
    db.session.commit()
    assert _found(db, world.space, "児童") == []
    assert _found(db, world.space, "運動公園") == ["公園整備の優先順位"]


def test_search_box_on_the_page(app, db, world, threads):
    client = client_for(app, world, "anonymous")
    html = client.get(forum_url(world.space, "?q=%EF%BD%BB%EF%BD%AF%EF%BE%8E%EF%BE%9F%EF%BE%9B")
                      ).get_data(as_text=True)  # ?q=ｻｯﾎﾟﾛ
    assert thread_titles(html) == ["除雪"]
    assert "1 thread matches" in html
    html = client.get(forum_url(world.space, "?q=nothing-here")).get_data(as_text=True)
    assert "No thread matches your search." in html


def test_query_terms_are_normalised_and_bounded():
    assert search.query_terms("  ＡＢＣ　ｶﾀｶﾅ abc ") == ["abc", "カタカナ"]
    assert len(search.query_terms(" ".join(str(n) for n in range(20)))) == search.MAX_TERMS
    assert search.search_text("Ｈｉｒｏｂａ\n広場") == "hiroba 広場"
