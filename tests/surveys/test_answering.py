"""Validation of each question type and conditional display, on plain objects (no database)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.surveys.answering import (OTHER, Given, check_section, judge_page, parse,
                                   parse_number, visible_ids)
from tests.surveys.questions import opt, problem_of, question


# --- single choice ---------------------------------------------------------------------------

def test_single_choice():
    q = question(kind="single", required=True, options=[opt(10), opt(11)])
    assert problem_of(q, {}) == "required"
    assert problem_of(q, {"q1": "10"}) is None
    assert problem_of(q, {"q1": "12"}) == "invalid_choice"  # not an option of this question
    assert problem_of(q, {"q1": "abc"}) == "invalid_choice"
    assert problem_of(q, {"q1": OTHER, "q1_other": "x"}) == "invalid_choice"  # no "other"
    assert problem_of(question(kind="single", options=[opt(10)]), {}) is None  # optional


def test_single_choice_other_needs_text():
    q = question(kind="single", allow_other=True, options=[opt(10), opt(11)])
    assert problem_of(q, {"q1": OTHER, "q1_other": "  "}) == "other_missing"
    assert problem_of(q, {"q1": OTHER, "q1_other": "ｔｒａｍ"}) is None
    given = parse(q, MultiDict({"q1": OTHER, "q1_other": "ｔｒａｍ"}))
    assert given.other == "tram"  # NFKC
    assert problem_of(q, {"q1": OTHER, "q1_other": "x" * 201}) == "too_long"
    # the other text alone, without choosing "other", is not an answer
    assert parse(q, MultiDict({"q1_other": "tram"})).is_empty()


# --- multiple choice -------------------------------------------------------------------------

def test_multiple_choice_limits():
    q = question(kind="multiple", min_choices=2, max_choices=3,
                 options=[opt(1), opt(2), opt(3), opt(4)])
    assert problem_of(q, MultiDict([("q1", "1")])) == "choose_between"
    assert problem_of(q, MultiDict([("q1", "1"), ("q1", "2")])) is None
    assert problem_of(q, MultiDict([("q1", "1"), ("q1", "2"), ("q1", "3"), ("q1", "4")])) \
        == "choose_between"
    assert problem_of(q, MultiDict([("q1", "1"), ("q1", "1")])) == "invalid_choice"
    assert problem_of(q, {}) is None  # optional: skipping is allowed despite the minimum


def test_multiple_choice_other_counts_as_a_choice():
    q = question(kind="multiple", max_choices=2, allow_other=True, options=[opt(1), opt(2)])
    form = MultiDict([("q1", "1"), ("q1", "2"), ("q1", OTHER), ("q1_other", "x")])
    assert problem_of(q, form) == "choose_at_most"
    exactly = question(kind="multiple", min_choices=2, max_choices=2, options=[opt(1), opt(2), opt(3)])
    assert problem_of(exactly, MultiDict([("q1", "1")])) == "choose_exactly"
    at_least = question(kind="multiple", min_choices=2, options=[opt(1), opt(2), opt(3)])
    assert problem_of(at_least, MultiDict([("q1", "1")])) == "choose_at_least"


# --- Likert ----------------------------------------------------------------------------------

@pytest.mark.parametrize("points, value, ok", [(5, "5", True), (5, "6", False), (7, "7", True),
                                               (7, "0", False), (5, "x", False), (5, "３", True)])
def test_likert(points, value, ok):
    q = question(kind="likert", scale_points=points)
    assert (problem_of(q, {"q1": value}) is None) is ok


def test_likert_required():
    assert problem_of(question(kind="likert", scale_points=5, required=True), {}) == "required"


# --- number ----------------------------------------------------------------------------------

def test_number_range_and_format():
    q = question(kind="number", min_value=0, max_value=120)
    assert problem_of(q, {"q1": "３５"}) is None  # full-width digits
    assert problem_of(q, {"q1": "1,000"}) == "number_between"
    assert problem_of(q, {"q1": "-1"}) == "number_between"
    assert problem_of(q, {"q1": "twelve"}) == "not_a_number"
    assert problem_of(q, {"q1": "2.5"}) == "whole_number"
    assert problem_of(question(kind="number", integer_only=False), {"q1": "2.5"}) is None
    assert problem_of(question(kind="number", min_value=10), {"q1": "5"}) == "number_at_least"
    assert problem_of(question(kind="number", max_value=10), {"q1": "50"}) == "number_at_most"
    assert problem_of(question(kind="number", required=True), {"q1": " "}) == "required"
    assert parse_number("nan") is None and parse_number("inf") is None


# --- text ------------------------------------------------------------------------------------

def test_short_and_long_text():
    short = question(kind="short_text", required=True)
    assert problem_of(short, {"q1": "   "}) == "required"
    assert problem_of(short, {"q1": "a" * 200}) is None
    assert problem_of(short, {"q1": "a" * 201}) == "too_long"
    long_ = question(kind="long_text")
    assert problem_of(long_, {"q1": "a" * 5000}) is None
    assert problem_of(long_, {"q1": "a" * 5001}) == "too_long"
    assert parse(long_, MultiDict({"q1": "一行目\r\n二行目"})).text == "一行目\n二行目"


# --- ranking ---------------------------------------------------------------------------------

def test_ranking():
    q = question(kind="ranking", options=[opt(1), opt(2), opt(3)])
    full = {"q1_o1": "2", "q1_o2": "1", "q1_o3": "3"}
    assert problem_of(q, full) is None
    assert parse(q, MultiDict(full)).ranks == {1: 2, 2: 1, 3: 3}
    assert problem_of(q, {"q1_o1": "1", "q1_o2": "1", "q1_o3": "2"}) == "rank_distinct"
    assert problem_of(q, {"q1_o1": "1"}) == "rank_all"
    assert problem_of(q, {"q1_o1": "4", "q1_o2": "1", "q1_o3": "2"}) == "rank_range"
    assert problem_of(q, {}) is None
    assert problem_of(question(kind="ranking", required=True, options=q.options), {}) == "required"


# --- conditional display ---------------------------------------------------------------------

def test_visible_ids_follow_earlier_answers_and_chains():
    a = question(1, "single", options=[opt(10), opt(11)])
    b = question(2, "single", options=[opt(20), opt(21)], show_if_option_id=10)
    c = question(3, "short_text", show_if_option_id=20)
    qs = [a, b, c]
    assert visible_ids(qs, {}) == {1}
    assert visible_ids(qs, {1: Given(options=[10])}) == {1, 2}
    assert visible_ids(qs, {1: Given(options=[10]), 2: Given(options=[20])}) == {1, 2, 3}
    # b hidden again: its stored answer no longer shows c
    assert visible_ids(qs, {1: Given(options=[11]), 2: Given(options=[20])}) == {1}


def test_check_section_ignores_hidden_required_questions():
    a = question(1, "single", options=[opt(10), opt(11)], required=True)
    b = question(2, "short_text", required=True, show_if_option_id=10)
    answers = {1: Given(options=[11]), 2: Given(text="left over")}
    result = check_section([a, b], answers, visible_ids([a, b], answers))
    assert result.problems == {} and set(result.answers) == {1}
    answers = {1: Given(options=[10])}
    result = check_section([a, b], answers, visible_ids([a, b], answers))
    assert {qid: p.code for qid, p in result.problems.items()} == {2: "required"}
    assert result.only_missing


def test_judge_page_next_save_back_and_revealed_questions():
    a = question(1, "single", options=[opt(10), opt(11)], required=True)
    b = question(2, "number", required=True, max_value=5)
    c = question(3, "short_text", required=True, show_if_option_id=10)
    missing = {1: Given(options=[11])}
    out = judge_page([a, b], missing, {1, 2}, "next")
    assert not out.save and {k: p.code for k, p in out.problems.items()} == {2: "required"}
    out = judge_page([a, b], missing, {1, 2}, "save")  # a draft may miss answers
    assert out.save and out.problems == {} and set(out.keep) == {1}
    invalid = {1: Given(options=[11]), 2: Given(number=9.0, raw="9")}
    for action in ("next", "back", "save"):  # an invalid answer is never stored
        out = judge_page([a, b], invalid, {1, 2}, action)
        assert not out.save and {k: p.code for k, p in out.problems.items()} == {2: "number_at_most"}
    revealed = {1: Given(options=[10]), 2: Given(number=3.0, raw="3")}
    out = judge_page([a, b, c], revealed, {1, 2}, "next")
    assert out.save and out.appeared and out.problems == {}
    assert judge_page([a, b, c], revealed, {1, 2}, "save").appeared is False
