"""Who writes what in the demo content, and when: demo participants as the participation
ledger knows them, picked deterministically, and moments inside the input window.

A person is only picked for a module the ledger says they used, so the demo content leaves the
ledger (and every representation figure) exactly as the participant plan made it."""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.common.time import to_jst
from app.demo.content_data import Who
from app.demo.plan import JST, input_window
from app.representation.models import Participation


@dataclass(frozen=True)
class Person:
    user: User
    first_at: datetime
    age: int | None
    gender: str | None
    residency: str | None
    modules: frozenset[str]


def demo_people(session: Session, space) -> list[Person]:
    """The demo participants of the space as the ledger knows them, in e-mail order."""
    p = Participation
    rows = session.execute(
        select(User, p).join(p, (p.user_id == User.id) & (p.space_id == space.id))
        .where(User.email.like("demo-%@example.jp")).order_by(User.email)
        .options(selectinload(User.demographics))).all()
    return [Person(user, row.first_at, row.age, row.gender, row.residency,
                   frozenset(m for m in ("forum", "proposals", "proposal_supporters", "surveys")
                             if getattr(row, m)))
            for user, row in rows]


def _fits(person: Person, who: Who) -> bool:
    if who.gender is not None and person.gender != who.gender:
        return False
    if who.residency is not None and person.residency != who.residency:
        return False
    if who.low is not None or who.high is not None:
        if person.age is None:
            return False
        if not (who.low or 0) <= person.age <= (who.high if who.high is not None else 200):
            return False
    return True


class Cast:
    """Picks who writes what: someone who used `module`, had already joined by `at`, and fits
    `who`, relaxing the description step by step when nobody fits."""

    def __init__(self, people: list[Person], rng: random.Random):
        self.people = people
        self.rng = rng

    def _candidates(self, module: str, who: Who, at: datetime | None, exclude) -> list[Person]:
        wider = Who(who.gender, who.low and who.low - 10, who.high and who.high + 10,
                    who.residency)
        for description in (who, wider, Who(None, wider.low, wider.high, who.residency),
                            Who(residency=who.residency), Who()):
            for when in (at, None):
                found = [p for p in self.people
                         if module in p.modules and p.user.id not in exclude
                         and (when is None or p.first_at <= when) and _fits(p, description)]
                if found:
                    return found
        return []

    def pick(self, module: str, who: Who, at: datetime, exclude: Iterable[int] = ()) -> Person:
        found = self._candidates(module, who, at, set(exclude))
        if not found:
            raise LookupError(f"no demo participant used {module}")
        return self.rng.choice(found)

    def sample(self, module: str, n: int, at: datetime,
               exclude: Iterable[int] = ()) -> list[Person]:
        """Up to `n` different people, those who had joined by `at` first."""
        exclude = set(exclude)
        joined = self._candidates(module, Who(), at, exclude)
        chosen = self.rng.sample(joined, min(n, len(joined)))
        if len(chosen) < n:
            rest = [p for p in self._candidates(module, Who(), None, exclude) if p not in chosen]
            chosen += self.rng.sample(rest, min(n - len(chosen), len(rest)))
        return chosen


class Clock:
    """Moments inside the input window, as naive UTC, never after `now`."""

    def __init__(self, today: date, now: datetime, rng: random.Random):
        first, last = input_window(today)
        self.start = utc_at(first, time(9))
        self.end = max(self.start, min(utc_at(last, time(22)), now))
        self.rng = rng

    def at(self, fraction: float) -> datetime:
        return self.start + (self.end - self.start) * fraction

    def between(self, low: datetime, high: datetime) -> datetime:
        """A moment from `low` to `high`; one at night (Japan) moves to the morning."""
        high = min(high, self.end)
        low = min(low, high)
        moment = low + (high - low) * self.rng.random()
        if to_jst(moment).hour < 7:
            moment = min(moment + timedelta(hours=8), high)
        return moment

    def spread(self, low: datetime, high: datetime, n: int) -> list[datetime]:
        return sorted(self.between(low, high) for _ in range(n))


def utc_at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=JST).astimezone(timezone.utc).replace(tzinfo=None)
