"""The pure similarity module: character n-grams over NFKC text, no Flask, no database."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.proposals import similarity
from app.proposals.similarity import Match, cosine, ngrams, normalise, rank


def test_module_imports_neither_flask_nor_sqlalchemy():
    source = Path(similarity.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "math", "re", "unicodedata", "collections", "dataclasses"}


def test_normalise_folds_width_case_and_punctuation():
    assert normalise("ＡＩで、行政　手続き！") == "aiで 行政 手続き"
    assert normalise("ｶﾀｶﾅ") == "カタカナ"
    assert normalise(None) == ""
    assert normalise("  ...  ") == ""


def test_ngrams_do_not_span_separators_and_keep_single_characters():
    grams = ngrams("子ども 森")
    assert grams["子ど"] == 1 and grams["子ども"] == 1
    assert grams["森"] == 1
    assert "も森" not in grams and "も 森" not in grams


def test_identical_texts_score_one_and_disjoint_texts_zero():
    assert similarity.similarity("除雪の強化", "除雪の強化") == pytest.approx(1.0)
    assert similarity.similarity("除雪の強化", "ＡＢＣ") == 0.0
    assert similarity.similarity("", "除雪") == 0.0
    assert cosine(ngrams(""), ngrams("x")) == 0.0


def test_japanese_without_segmentation_finds_the_related_idea():
    related = similarity.similarity("子ども食堂を増やす", "子ども食堂の拡充")
    unrelated = similarity.similarity("子ども食堂を増やす", "除雪の体制を強化する")
    assert related > 0.4
    assert unrelated == 0.0


def test_full_width_and_half_width_compare_equal():
    assert similarity.similarity("ＡＩで行政手続きを簡単に", "AIで行政手続きを簡単に") == \
        pytest.approx(1.0)


def test_rank_returns_at_most_limit_best_first_above_the_floor():
    candidates = [
        (1, "子ども食堂の拡充", "各区に子ども食堂を"),
        (2, "除雪の強化", "生活道路の除雪を早く"),
        (3, "子ども食堂への補助金", "運営費の補助"),
        (4, "子どもの居場所づくり", "放課後の居場所"),
        (5, "地下鉄の延伸", "清田区まで"),
    ]
    result = rank("子ども食堂を増やしたい", candidates, limit=3)
    assert len(result) <= 3
    assert [m.key for m in result][:2] == [1, 3] or [m.key for m in result][:2] == [3, 1]
    assert all(isinstance(m, Match) for m in result)
    assert [m.score for m in result] == sorted((m.score for m in result), reverse=True)
    assert 2 not in [m.key for m in result] and 5 not in [m.key for m in result]


def test_rank_matches_a_short_query_against_the_title_despite_a_long_body():
    long_body = "冬の生活について。" * 200
    result = rank("バス路線の維持", [(7, "バス路線の維持をお願いします", long_body)])
    assert result and result[0].key == 7 and result[0].score > 0.5


def test_rank_of_empty_query_is_empty():
    assert rank("  、。 ", [(1, "何か", "本文")]) == []


def test_fast_overlap_score_never_exceeds_the_exact_binary_cosine():
    import math
    import random

    from app.proposals.similarity import gram_positions, overlap_score

    rng = random.Random(7)
    alphabet = "子ども食堂除雪バス路線公園の を、AIai"
    for _ in range(300):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        qa, qb = set(ngrams(a)), set(ngrams(b))
        exact = len(qa & qb) / math.sqrt(len(qa) * len(qb)) if qa and qb else 0.0
        assert overlap_score(qa, normalise(b)) <= exact + 1e-9
        assert gram_positions(normalise(b)) >= len(qb)


def test_ranking_a_thousand_long_proposals_is_fast_enough_for_typing():
    import random
    import time

    rng = random.Random(1)
    chars = "子ども食堂除雪バス路線公園図書館地下鉄観光交流住民福祉医療介護学校教育防災安全"
    candidates = [(i, "".join(rng.choice(chars) for _ in range(20)),
                   "".join(rng.choice(chars) for _ in range(2000))) for i in range(1000)]
    started = time.perf_counter()
    rank("子ども食堂を増やしたい 各区に一つ", candidates)
    assert time.perf_counter() - started < 1.5
