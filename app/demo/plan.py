"""The demo's participants, planned without touching the database (pure, deterministic).

The mix is deliberately skewed the way real consultations are: older men over-represented, young
women under-represented, mostly residents with some relationship population (関係人口). Quotas
are fixed counts, so the skew does not depend on luck; a seeded random.Random(2026) only shuffles
who is who, picks names, sectors, modules and moments."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
SEED = 2026
PARTICIPANTS = 300
NOT_CONSENTED = 30  # ~10% gave no demographics at all
# The input phase opened on 1 July 2026 (first week = launch spike).
INPUT_OPENS = date(2026, 7, 1)
INPUT_CLOSES = date(2027, 1, 31)

AGE_BANDS = ((18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 89))
# People per (gender, age band) among the 270 who consented; gives women ~34%, aged 18-39 ~16%,
# women 18-39 ~5%, men 60+ ~30% of those who answered.
GENDER_AGE_QUOTAS = {
    "male": (9, 13, 22, 30, 38, 34, 9),
    "female": (6, 8, 17, 22, 21, 15, 4),
    "other": (2, 1, 0, 1, 0, 0, 0),
    "no_answer": (1, 2, 3, 4, 4, 4, 0),  # "prefer not to say"
}
RESIDENCY_QUOTAS = {"resident": 234, "relationship": 30, "dual_region": 15, "commuter": 18,
                    "other": 3}
SECTOR_WEIGHTS = {"none": 35, "industry": 14, "government": 8, "academia": 7, "finance": 4,
                  "labour": 6, "media": 3, "professions": 5, "civil_society": 12, None: 6}
# Home areas by residency; a code missing from the database falls back (see services).
SAPPORO_WARDS = {"01101": 25, "01102": 29, "01103": 26, "01104": 21, "01105": 22, "01106": 13,
                 "01107": 21, "01108": 12, "01109": 14, "01110": 11}  # ~ population, 10k
COMMUTER_HOMES = {"01217": 4, "01234": 3, "01235": 3, "01224": 2, "01231": 2, "01203": 3}
RELATIONSHIP_HOMES = {"01202": 2, "01204": 2, "01203": 1, "13104": 2, "13112": 3, "13113": 2,
                      "14100": 2, "27100": 2, "23100": 1, "40130": 1}
DUAL_REGION_HOMES = {"13112": 3, "13113": 2, "13104": 2, "14100": 2, "27100": 1}

FAMILY_NAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
                "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "斎藤", "清水", "山崎",
                "阿部", "池田", "橋本", "工藤", "菊地", "千葉", "成田", "三浦", "石川", "村上")
GIVEN_NAMES = {
    ("male", "young"): ("翔太", "大輝", "拓也", "健太", "悠斗", "蓮", "颯太", "海斗"),
    ("male", "older"): ("博", "茂", "誠", "明", "隆", "和夫", "勝", "浩", "正人", "清", "修"),
    ("female", "young"): ("美咲", "陽菜", "さくら", "彩", "結衣", "葵", "七海", "遥"),
    ("female", "older"): ("恵子", "幸子", "和子", "洋子", "真由美", "京子", "久美子", "由美"),
    ("neutral", "any"): ("薫", "翼", "光", "真琴", "歩", "渚", "晶", "忍"),
}
MODULE_PROBABILITIES = {"forum": 0.8, "surveys": 0.55, "proposal_supporters": 0.35,
                        "proposals": 0.18}


@dataclass(frozen=True)
class PlannedParticipant:
    number: int  # 1..300, the NNN of demo-NNN@example.jp
    email: str
    display_name: str
    residency: str
    home_codes: tuple[str, ...]  # preferred home area first, then fallbacks; () = none
    consented: bool
    birth_year: int | None
    gender: str | None
    sector: str | None
    first_at: datetime  # naive UTC, like every DateTime column
    modules: tuple[str, ...]  # the first one is what they did first


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _expand(quotas: dict) -> list:
    return [key for key, n in quotas.items() for _ in range(n)]


def input_window(today: date) -> tuple[date, date]:
    """The days over which first contributions are spread: from the opening of the input phase
    to yesterday (the phase end at the latest), so no moment lies in the future. Before mid-July
    2026 there is no history yet, so the demo pretends twenty weeks have passed rather than
    showing an empty chart."""
    end = min(today - timedelta(days=1), INPUT_CLOSES)
    if end < INPUT_OPENS + timedelta(days=14):
        end = INPUT_OPENS + timedelta(weeks=20)
    return INPUT_OPENS, end


def _week_weight(week: int) -> float:
    """The shape of the weekly time series: a launch spike, a slow decline, a bump after the
    citizens' workshop (early September) and another after targeted outreach to universities
    and parenting groups (mid-October)."""
    shape = {0: 5.0, 1: 3.2, 2: 2.0, 9: 2.4, 10: 1.6, 15: 2.6, 16: 2.0}
    return shape.get(week, 1.0) * 0.93 ** (week / 2)


def _moment(rng: random.Random, first: date, last: date, later_bias: bool) -> datetime:
    days = (last - first).days + 1
    weeks = max(1, math.ceil(days / 7))
    open_days = [min(7, days - w * 7) for w in range(weeks)]  # the last week may be partial
    weights = [_week_weight(w) * open_days[w] / 7 * (2.5 if later_bias and w >= 15 else 1.0)
               for w in range(weeks)]
    week = rng.choices(range(weeks), weights=weights)[0]
    day = first + timedelta(days=week * 7 + rng.randrange(open_days[week]))
    hour = rng.choices(range(7, 24), weights=[1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 4, 2])[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=JST)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _modules(rng: random.Random) -> tuple[str, ...]:
    chosen = [m for m, p in MODULE_PROBABILITIES.items() if rng.random() < p]
    if not chosen:
        chosen = ["forum"]
    rng.shuffle(chosen)
    return tuple(chosen)


def plan_participants(today: date, n: int = PARTICIPANTS, seed: int = SEED) -> list[PlannedParticipant]:
    """The same list every time for the same `today` (and the same people whatever `today`;
    only their moments move with the window)."""
    rng = random.Random(seed)
    profiles = [(gender, band) for gender, counts in GENDER_AGE_QUOTAS.items()
                for band, count in zip(AGE_BANDS, counts) for _ in range(count)]
    profiles += [(None, None)] * NOT_CONSENTED
    if len(profiles) != n:
        raise ValueError(f"quotas add up to {len(profiles)}, not {n}")
    rng.shuffle(profiles)
    residencies = _expand(RESIDENCY_QUOTAS)
    rng.shuffle(residencies)
    first, last = input_window(today)

    planned = []
    for number, ((gender, band), residency) in enumerate(zip(profiles, residencies), start=1):
        consented = band is not None
        age = rng.randint(*band) if band else rng.randint(20, 80)
        birth_year = 2026 - age  # age_at() counts a birthday on 1 July, the window's start
        if gender == "no_answer" and rng.random() < 0.35:
            birth_year = None  # prefer not to say the year either
        young = age < 40
        generation = "young" if young else "older"
        name_pool = GIVEN_NAMES.get((gender or rng.choice(("male", "female")), generation),
                                    GIVEN_NAMES[("neutral", "any")])
        display_name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(name_pool)}"
        sector_weights = dict(SECTOR_WEIGHTS)
        if age >= 70:
            sector_weights["none"] *= 3
        sector = _weighted(rng, sector_weights) if consented else None
        homes = {"resident": SAPPORO_WARDS, "commuter": COMMUTER_HOMES,
                 "relationship": RELATIONSHIP_HOMES, "dual_region": DUAL_REGION_HOMES}.get(residency)
        home_codes = (_weighted(rng, homes),) if homes else ()
        if residency == "resident":
            home_codes += ("01100",)
        planned.append(PlannedParticipant(
            number=number, email=f"demo-{number:03d}@example.jp", display_name=display_name,
            residency=residency, home_codes=home_codes, consented=consented,
            birth_year=birth_year if consented else None,
            gender=gender if consented else None, sector=sector,
            first_at=_moment(rng, first, last, later_bias=consented and (young or gender == "female")),
            modules=_modules(rng),
        ))
    return planned
