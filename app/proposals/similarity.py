"""Similarity of short texts by character n-grams. Pure: no Flask, no database.

Japanese is written without spaces between words, so word-based similarity would need a
morphological analyser. Overlapping character bigrams and trigrams need none and work as well for
Japanese as for English: 「子ども食堂を増やす」 and 「子ども食堂の拡充」 share 子ど, ども, も食, 食堂, ...
Texts are NFKC-normalised and lower-cased first, so full-width and half-width forms (ＡＩ / AI,
ｶﾀｶﾅ / カタカナ) compare equal, and punctuation and spacing do not count."""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

# Everything that is not a letter or a digit in any script separates runs of text.
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
NGRAM_SIZES = (2, 3)
DEFAULT_MIN_SCORE = 0.18


def normalise(text: str | None) -> str:
    """NFKC, lower case, every run of punctuation or spacing collapsed to one space."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return _SEPARATORS.sub(" ", folded).strip()


def ngrams(text: str | None, sizes: Iterable[int] = NGRAM_SIZES) -> Counter:
    """Counts of the character n-grams inside each run of the normalised text (n-grams never
    span a separator). A run shorter than the smallest size counts as one n-gram itself, so a
    one-character word like 「森」 is not lost."""
    counts: Counter = Counter()
    sizes = tuple(sizes)
    smallest = min(sizes)
    for run in normalise(text).split():
        if len(run) < smallest:
            counts[run] += 1
            continue
        for size in sizes:
            for start in range(len(run) - size + 1):
                counts[run[start:start + size]] += 1
    return counts


def cosine(a: Counter, b: Counter) -> float:
    """Cosine similarity of two count vectors, 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm


def similarity(text_a: str | None, text_b: str | None) -> float:
    """Similarity of two plain texts in [0, 1]; 1.0 for texts equal after normalisation."""
    return cosine(ngrams(text_a), ngrams(text_b))


def gram_positions(normalised: str, sizes: Iterable[int] = NGRAM_SIZES) -> int:
    """How many n-grams ngrams() would produce from an already normalised text, without making
    them: an upper bound of its distinct n-grams."""
    sizes = tuple(sizes)
    smallest = min(sizes)
    total = 0
    for run in normalised.split():
        if len(run) < smallest:
            total += 1
        else:
            total += sum(len(run) - size + 1 for size in sizes if len(run) >= size)
    return total


def overlap_score(query_grams: set[str], normalised: str) -> float:
    """Cosine of the binary n-gram vectors of the query and a normalised text (the Ochiai
    coefficient), with the text's distinct n-grams bounded from above by its positions: never
    more than the exact binary cosine. Membership is tested with substring search, so a long
    text costs a few C-level scans instead of building its profile."""
    if not query_grams or not normalised:
        return 0.0
    smallest = min(NGRAM_SIZES)
    padded = f" {normalised} "
    # A gram shorter than the smallest size is a whole short run (see ngrams()): it must match
    # a whole run of the text, not a part of a longer one.
    hits = sum(1 for gram in query_grams
               if (f" {gram} " in padded if len(gram) < smallest else gram in normalised))
    if not hits:
        return 0.0
    return min(1.0, hits / math.sqrt(len(query_grams) * gram_positions(normalised)))


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float


def rank(query: str | None, candidates: Iterable[tuple[Hashable, str, str]], *, limit: int = 3,
         min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
    """The `limit` candidates most similar to `query`, best first, each scoring at least
    `min_score`. Candidates are (key, title, body). The query is compared with the title alone
    and with title and body together; the better of the two counts, so a short query that
    matches a title is found even when the body is long. Fast enough for a keystroke over a
    thousand proposals (see overlap_score)."""
    query_grams = set(ngrams(query))
    if not query_grams:
        return []
    matches = []
    for key, title, body in candidates:
        title_text = normalise(title)
        score = max(overlap_score(query_grams, title_text),
                    overlap_score(query_grams, f"{title_text} {normalise(body)}"))
        if score >= min_score:
            matches.append(Match(key, round(score, 4)))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]
