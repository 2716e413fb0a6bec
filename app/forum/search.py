"""Forum search that finds Japanese text without word boundaries, identically on SQLite and
PostgreSQL.

Each thread and post stores `search_text`: its text NFKC-normalised (full-width ＡＢＣ and half-width
ｶﾀｶﾅ fold to one form) and lower-cased. A query is normalised the same way, split on whitespace,
and every term must occur as a substring (LIKE '%term%', wildcards escaped) in the thread's title
or in one of its visible posts. Substring matching needs no tokenizer, so 「公園」 finds
「公園整備」 on both databases; on PostgreSQL a pg_trgm GIN index serves these LIKEs (terms of
three or more characters), on SQLite the space's rows are scanned, which is fine at forum size."""
from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, and_, exists, or_, select

from app.forum.models import Post, Thread

MAX_TERMS = 8
TERM_MAX = 100


def search_text(*parts: str | None) -> str:
    """The stored, searchable form of a text: NFKC, lower case, whitespace runs collapsed."""
    joined = " ".join(p for p in parts if p)
    return " ".join(unicodedata.normalize("NFKC", joined).lower().split())


def query_terms(query: str | None) -> list[str]:
    """The distinct terms of a search query in the stored form (at most MAX_TERMS)."""
    terms: list[str] = []
    for term in search_text(query).split():
        term = term[:TERM_MAX]
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column, term: str) -> ColumnElement[bool]:
    return column.like(f"%{_escape_like(term)}%", escape="\\")


def matches(terms: list[str]) -> ColumnElement[bool] | None:
    """A WHERE clause for threads matching every term (None when there are no terms). Deleted and
    hidden posts are not searched: a search must not reveal what a placeholder covers."""
    if not terms:
        return None
    clauses = []
    for term in terms:
        in_posts = exists(
            select(Post.id).where(
                Post.thread_id == Thread.id,
                Post.deleted_at.is_(None),
                Post.hidden_at.is_(None),
                _contains(Post.search_text, term),
            )
        )
        clauses.append(or_(_contains(Thread.search_text, term), in_posts))
    return and_(*clauses)
