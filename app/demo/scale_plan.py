"""What `flask demo scale` writes, planned without a database (pure, seeded, deterministic).

People are drawn like Japan's adult population (the 2020 census by single year of age and sex,
shipped in app/representation/data); about one in ten gives no demographic answers. Per space,
the planner decides who does what and when: forum threads with replies (one level of nesting,
a few withdrawn replies), proposals with their official history and skewed support counts,
survey responses. The ledger row of a person in a space is then derived from what they did
there (first use of each module), so the ledger never claims an activity that is not in the
data. Rows are tuples in the column order of the *_COLUMNS constants."""
from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.demo.content_data import PROPOSALS, THREADS
from app.demo.plan import FAMILY_NAMES, GIVEN_NAMES

CENSUS = Path(__file__).resolve().parents[1] / "representation" / "data" / "census2020.csv"
ADULT_AGES = range(18, 100)
RESIDENCY = (("resident", 80), ("relationship", 10), ("commuter", 6), ("dual_region", 2),
             ("other", 2))
SECTORS = (("none", 35), ("industry", 14), ("government", 8), ("academia", 7), ("finance", 4),
           ("labour", 6), ("media", 3), ("professions", 5), ("civil_society", 12), (None, 6))
# Of those who answer the demographic questions: a few say "other" or prefer not to say.
NOT_CONSENTED = 0.10
GENDER_OTHER, GENDER_NO_ANSWER = 0.005, 0.02
# Replies per thread: most threads are short, a few long; one thread has exactly LONG_THREAD.
LONG_THREAD = 200
MEAN_REPLIES = 19
NESTED_SHARE, WITHDRAWN_SHARE = 0.25, 0.01
# Final status of a proposal: (status, weight, the steps after publication).
PROPOSAL_FATES = (("published", 70, ()), ("under_review", 15, ("under_review",)),
                  ("accepted", 6, ("under_review", "accepted")),
                  ("rejected", 5, ("under_review", "rejected")),
                  ("implemented", 4, ("under_review", "accepted", "implemented")))
ANSWERS = {
    "accepted": "ご提案ありがとうございます。**見直しの方向性に反映**し、来年度から一部地域で"
                "モデル実施します。\n\n（政策企画担当）",
    "rejected": "ご提案ありがとうございます。財源と既存事業との重なりを検討した結果、今回の見直し"
                "では採用を見送ります。\n\n- 既存の支援制度の周知を強化します\n\n（政策企画担当）",
    "implemented": "この提案にもとづく取組を**実施しました**。結果は年度末に公表します。",
}
ANSWERS_PER_RESPONSE = 4.8  # single 1, multiple ~2, likert 1, number 0.8 (see survey_answers)


@dataclass(frozen=True)
class Person:
    id: int
    birth_year: int | None
    gender: str | None
    sector: str | None
    residency: str
    home_area_id: int | None


def _weighted(pairs):
    values, weights = zip(*pairs)
    return list(values), list(weights)


def adult_age_weights(path: Path = CENSUS) -> dict[str, list[int]]:
    """Japan's population aged 18-99 by single year, per sex (the census's national row)."""
    with path.open(encoding="utf-8") as handle:
        rows = {row["sex"]: row for row in csv.DictReader(handle) if row["area_code"] == "00000"}
    return {sex: [int(rows[sex][str(age)]) for age in ADULT_AGES] for sex in ("male", "female")}


def people(rng: random.Random, first_id: int, n: int, area_ids: list[int], year: int
           ) -> list[Person]:
    weights = adult_age_weights()
    ages = list(ADULT_AGES)
    residencies, residency_weights = _weighted(RESIDENCY)
    sectors, sector_weights = _weighted(SECTORS)
    female_share = sum(weights["female"]) / (sum(weights["female"]) + sum(weights["male"]))
    out = []
    for offset in range(n):
        sex = "female" if rng.random() < female_share else "male"
        birth_year = year - rng.choices(ages, weights[sex])[0]
        roll = rng.random()
        gender = ("other" if roll < GENDER_OTHER else
                  "no_answer" if roll < GENDER_OTHER + GENDER_NO_ANSWER else sex)
        consented = rng.random() >= NOT_CONSENTED
        out.append(Person(
            first_id + offset, birth_year if consented else None, gender if consented else None,
            rng.choices(sectors, sector_weights)[0] if consented else None,
            rng.choices(residencies, residency_weights)[0],
            rng.choice(area_ids) if area_ids and rng.random() < 0.7 else None))
    return out


def display_name(rng: random.Random, person: Person, year: int) -> str:
    generation = "young" if person.birth_year and year - person.birth_year < 40 else "older"
    gender = person.gender if person.gender in ("male", "female") else None
    pool = GIVEN_NAMES.get((gender, generation), GIVEN_NAMES[("neutral", "any")])
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(pool)}"


# --- what people write --------------------------------------------------------------------

def _texts() -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
    titles = [t.title for t in THREADS]
    openings = [t.body for t in THREADS]
    replies = [r.body for t in THREADS for r in t.replies]
    proposals = [(p.title, p.body) for p in PROPOSALS]
    return titles, openings, replies, proposals


THREAD_TITLES, OPENING_BODIES, REPLY_BODIES, PROPOSAL_TEXTS = _texts()


@dataclass
class SpaceActivity:
    """Who did what when in one space: {user id: earliest time} per ledger module."""
    first_use: dict[str, dict[int, datetime]] = field(default_factory=lambda: {
        "forum": {}, "proposals": {}, "proposal_supporters": {}, "surveys": {}})

    def saw(self, module: str, user_id: int, at: datetime) -> None:
        seen = self.first_use[module]
        if user_id not in seen or at < seen[user_id]:
            seen[user_id] = at


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def moment(self, rng: random.Random, low: datetime | None = None,
               high: datetime | None = None) -> datetime:
        low, high = low or self.start, high or self.end
        span = max((high - low).total_seconds(), 1.0)
        return low + timedelta(seconds=rng.random() * span)


def split_roles(rng: random.Random, participants: list[int], *, posts: int, proposals: int,
                responses: int) -> dict[str, list[int]]:
    """Who writes in the forum, who proposes, who answers the survey; everybody else (and some
    of those) supports proposals, so every participant did at least one thing."""
    shuffled = participants[:]
    rng.shuffle(shuffled)
    n = len(shuffled)
    forum_n = min(n, max(1, int(posts * 0.6)))
    proposers_n = min(n, max(1, int(proposals * 0.7)))
    respondents_n = min(n, responses)
    # Overlapping slices: the same person may write, propose and answer.
    forum = shuffled[:forum_n]
    proposers = shuffled[forum_n // 2: forum_n // 2 + proposers_n] or shuffled[:proposers_n]
    start = max(0, min(n - respondents_n, forum_n // 3))
    respondents = shuffled[start:start + respondents_n]
    active = set(forum) | set(proposers) | set(respondents)
    must_support = [p for p in shuffled if p not in active]
    extra = [p for p in shuffled if p in active and rng.random() < 0.3]
    return {"forum": forum, "proposers": proposers, "respondents": respondents,
            "must_support": must_support, "supporters": must_support + extra}


def thread_sizes(rng: random.Random, posts: int, long_thread: bool) -> list[int]:
    """Replies per thread such that threads + replies = posts; the first has LONG_THREAD
    replies when asked for and possible."""
    sizes: list[int] = []
    left = posts
    if long_thread and left >= LONG_THREAD + 1:
        sizes.append(LONG_THREAD)
        left -= LONG_THREAD + 1
    while left > 0:
        replies = min(left - 1, int(rng.expovariate(1 / MEAN_REPLIES)))
        sizes.append(replies)
        left -= replies + 1
    return sizes


@dataclass(frozen=True)
class PlannedPost:
    key: int          # index within the thread (0 = opening)
    author_id: int
    parent: int | None
    reply_to: int | None
    body: str
    at: datetime
    withdrawn: bool


def shares(total: int, spaces: int, first: int = 0) -> list[int]:
    """`total` split evenly over the spaces, except that the first space gets at least `first`
    (room for the long thread; a prefecture-wide space with 500 pages of proposals)."""
    even = [total // spaces + (1 if n < total % spaces else 0) for n in range(spaces)]
    want = min(total, first)
    if spaces == 1 or even[0] >= want:
        return even
    rest = total - want
    return [want] + [rest // (spaces - 1) + (1 if n < rest % (spaces - 1) else 0)
                     for n in range(spaces - 1)]


def post_shares(total: int, spaces: int) -> list[int]:
    return shares(total, spaces, LONG_THREAD + 1)


# The first space's proposal list reaches page 500 at 20 a page when there are enough.
BIG_SPACE_PROPOSALS = 10_000


def proposal_shares(total: int, spaces: int) -> list[int]:
    return shares(total, spaces, min(BIG_SPACE_PROPOSALS, total // 5))


def thread_posts(rng: random.Random, window: Window, replies: int, authors: Iterator[int],
                 withdrawals: bool = True) -> list[PlannedPost]:
    opened = window.moment(rng, high=window.end - (window.end - window.start) / 4)
    posts = [PlannedPost(0, next(authors), None, None, rng.choice(OPENING_BODIES), opened, False)]
    at, top_level = opened, []
    for key in range(1, replies + 1):
        at = min(window.end, at + timedelta(minutes=rng.expovariate(1 / 180)))
        parent = rng.choice(top_level) if top_level and rng.random() < NESTED_SHARE else None
        if parent is None:
            top_level.append(key)
        posts.append(PlannedPost(key, next(authors), parent, parent, rng.choice(REPLY_BODIES),
                                 at, withdrawals and rng.random() < WITHDRAWN_SHARE))
    return posts


def authors_cycle(rng: random.Random, pool: list[int]) -> Iterator[int]:
    """Every member of the pool once (in random order), then anyone, the keen ones more."""
    yield from rng.sample(pool, len(pool))
    keen = pool[: max(1, len(pool) // 10)]
    while True:
        yield rng.choice(keen) if rng.random() < 0.4 else rng.choice(pool)


def proposal_fate(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    statuses, weights, steps = zip(*PROPOSAL_FATES)
    index = rng.choices(range(len(statuses)), weights)[0]
    return statuses[index], steps[index]


def support_targets(rng: random.Random, proposals: int, supports: int, pool: int) -> list[int]:
    """How many supports each proposal gets: skewed (a few popular ones), summing to
    `supports` where the pool allows, none above the number of possible supporters (what a
    popular proposal cannot take goes to the others)."""
    weights = [rng.paretovariate(1.3) for _ in range(proposals)]
    targets = [0] * proposals
    left = min(supports, proposals * pool)
    open_ = list(range(proposals))
    while left > 0 and open_:
        total = sum(weights[i] for i in open_)
        given = 0
        for i in open_:
            add = min(pool - targets[i], int(left * weights[i] / total))
            targets[i] += add
            given += add
        if not given:  # less than one each is left: to the most popular
            for i in sorted(open_, key=lambda i: -weights[i])[:left]:
                targets[i] += 1
                given += 1
        left -= given
        open_ = [i for i in open_ if targets[i] < pool]
    return targets


def choose_supporters(rng: random.Random, targets: list[int], must: list[int],
                      pool: list[int]) -> list[set[int]]:
    """Distinct supporters per proposal: everyone in `must` supports at least one proposal
    (picked by popularity), then each proposal is filled up to its target from the pool."""
    chosen: list[set[int]] = [set() for _ in targets]
    if not targets:
        return chosen
    weights = [t + 1 for t in targets]
    for person, index in zip(must, rng.choices(range(len(targets)), weights, k=len(must))):
        chosen[index].add(person)
    for index, target in enumerate(targets):
        supporters = chosen[index]
        if target <= len(supporters):
            continue
        if target > len(pool) // 2:  # dense: sampling is faster than rejection
            supporters.update(rng.sample(pool, min(len(pool), target)))
            continue
        while len(supporters) < target:
            supporters.add(pool[int(rng.random() * len(pool))])
    return chosen


def survey_answers(rng: random.Random, options: dict[str, list[int]], birth_year: int | None,
                   year: int) -> list[tuple[str, int | None, float | None]]:
    """(question key, option id, number) rows of one response: younger people lean to leaving
    and to childcare and jobs, older ones to staying and to snow and care."""
    young = birth_year is not None and year - birth_year < 40
    stay = options["stay"]
    rows = [("stay", rng.choices(stay, (20, 35, 30, 15) if young else (55, 30, 5, 10))[0], None)]
    priorities = options["priorities"]
    weights = (8, 9, 2, 1, 3, 5, 1, 3) if young else (4, 4, 6, 7, 2, 2, 3, 1)
    picked = set(rng.choices(priorities, weights, k=rng.choice((1, 2, 2, 3))))
    rows += [("priorities", option, None) for option in sorted(picked)]
    rows.append(("satisfaction", None, float(rng.choices((1, 2, 3, 4, 5),
                                                          (10, 25, 35, 22, 8))[0])))
    if rng.random() < 0.8:
        rows.append(("years", None, float(min(100, int(rng.expovariate(1 / 20))))))
    return rows
