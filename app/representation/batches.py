"""Batches: the only sets of people that representation figures describe.

People in a space are ranked by (time, id) in a *chain*: the time of first participation for
the whole space, or the time of first use of one module for that module's filtered figures. A
batch is k consecutive people of a chain; only closed batches are counted (the open one waits
for its k-th member). A window (a date range chosen by a facilitator) snaps to whole batches: it
starts after the first cut at or after its start date and ends at the last cut before its end
date. Any window, and any difference of two windows of one chain, therefore covers whole batches
of at least k people, and a figure changes only when a batch closes.

Ranks are counted from the stored tallies (app/representation/tallies) and the (space_id, time,
id) indexes; no ledger row leaves the database, and a count reads at most a chunk of rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.common.time import JST, to_jst
from app.representation import tallies
from app.representation.models import LedgerTally, Participation
from app.representation.queries import sql_int

CHAINS = tallies.CHAINS
# Dates a window may name: the platform's lifetime, with room; anything else is a typo.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class WindowError(ValueError):
    """A date outside EARLIEST_DAY..LATEST_DAY, a reversed range or an unknown chain."""


def chain_time(module: str):
    """The column that orders a chain; WindowError for a chain that does not exist."""
    if module not in CHAINS:
        raise WindowError(f"module must be one of {', '.join(CHAINS)}")
    return tallies.chain_time(module)


def chain_filters(space, module: str) -> list:
    chain_time(module)
    return tallies.in_chain(space.id, module)


def jst_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), JST).astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Window:
    """People ranked low+1 .. high in `module`'s chain (ranks from 1)."""
    module: str
    k: int
    low: int
    high: int
    members: int  # everyone in the chain now, the open batch included
    since: date | None = None  # as asked
    until: date | None = None

    @property
    def size(self) -> int:
        return max(0, self.high - self.low)

    @property
    def empty(self) -> bool:
        return self.size == 0

    @property
    def waiting(self) -> int:
        """People in the open batch (not counted yet)."""
        return max(0, self.members - (self.members // self.k) * self.k)

    @property
    def filtered(self) -> bool:
        return self.module != "all" or self.since is not None or self.until is not None


def check_day(day: date | None, name: str) -> None:
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise WindowError(f"{name} must lie between {EARLIEST_DAY.isoformat()} and "
                          f"{LATEST_DAY.isoformat()}")


def members(session: Session, space, module: str = "all") -> int:
    chain_time(module)
    return tallies.heads(session, space.id, [module])[module].members


def _before(session: Session, space, module: str, day: date) -> int:
    """People of the chain whose time is before Japan-time midnight starting `day`: the last
    tally before it and the rows after that tally (fewer than a chunk, or the untallied tail)."""
    column, midnight = chain_time(module), jst_midnight_utc(day)
    below = session.execute(select(LedgerTally.rank, LedgerTally.last_at, LedgerTally.last_id)
                            .where(LedgerTally.space_id == space.id, LedgerTally.chain == module,
                                   LedgerTally.last_at < midnight)
                            .order_by(LedgerTally.rank.desc()).limit(1)).first()
    rank, key = (below[0], (below[1], below[2])) if below else (0, None)
    return rank + (session.scalar(select(func.count()).select_from(Participation).where(
        *chain_filters(space, module), column < midnight,
        *tallies.after_key(module, key))) or 0)


def window(session: Session, space, *, module: str = "all", since: date | None = None,
           until: date | None = None, k: int = 5, ledger: LedgerCounts | None = None) -> Window:
    """The whole batches of `module`'s chain whose people joined between `since` and `until`
    (Japan dates, inclusive; None = open). `ledger`: the chains' sizes, already counted."""
    k = max(1, int(k))
    check_day(since, "since")
    check_day(until, "until")
    if since and until and until < since:
        raise WindowError("until must not be before since")
    chain_time(module)  # an unknown chain is refused before anything is counted
    total = ledger.members[module] if ledger is not None else members(session, space, module)
    closed = total // k * k
    low = 0 if since is None else -(-_before(session, space, module, since) // k) * k
    high = closed if until is None else min(
        closed, _before(session, space, module, until + timedelta(days=1)) // k * k)
    return Window(module, k, min(low, closed), max(min(low, closed), high), total, since, until)


def release_window(session: Session, space, *, k: int, batch: int) -> Window:
    """Everyone up to the last cut of the facilitators' chain (batch size `batch`): a release
    ends on a facilitator cut, so no facilitator window differs from it by less than a batch."""
    total = members(session, space)
    return Window("all", batch, 0, total // batch * batch, total)


def ranked(space, module: str, *columns):
    """A subquery of the chain's people with their rank `rn` and the given columns."""
    column = chain_time(module)
    rn = func.row_number().over(order_by=(column, Participation.id)).label("rn")
    return select(rn, column.label("t"), *columns).where(*chain_filters(space, module)).subquery("r")


def segment(subquery, ranks: list[int]):
    """CASE: which stretch between the cut `ranks` (ascending) a ranked row falls in, 0 first.
    Literals, not bound parameters: PostgreSQL must see the grouped expression as the selected
    one."""
    whens = [(subquery.c.rn <= sql_int(rank), sql_int(j)) for j, rank in enumerate(ranks[:-1])]
    return case(*whens, else_=sql_int(len(ranks) - 1))


def in_window(subquery, win: Window):
    return and_(subquery.c.rn > win.low, subquery.c.rn <= win.high)


@dataclass(frozen=True)
class LedgerCounts:
    """How many people each chain holds now, and the whole space's chain per Japan week."""
    members: dict[str, int]  # chain -> people
    weeks: tuple[tuple[date, int], ...]  # (Monday, people whose first participation fell in it)


def _monday(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def ledger_counts(session: Session, space) -> LedgerCounts:
    """Every chain's size and the space's weekly counts, from the tallies and what follows
    them (tallies.heads builds the ones that are due first)."""
    heads = tallies.heads(session, space.id)
    return LedgerCounts({c: h.members for c, h in heads.items()},
                        tuple((_monday(day), n)
                              for day, n in tallies.chain_weeks(session, space.id, heads["all"])))


def week_cuts(session: Session, space, win: Window, limit: int = 30,
              ledger: LedgerCounts | None = None) -> list[tuple[date, int]]:
    """(Monday, rank) per Japan week: the last cut reached by the end of that week, within the
    window; at most `limit` points, thinned evenly, the window's end always last. `ledger`
    gives the whole space's weeks without another statement."""
    if win.empty:
        return []
    if ledger is not None and win.module == "all":
        rows = ledger.weeks
    else:
        head = tallies.heads(session, space.id, [win.module])[win.module]
        rows = tallies.chain_weeks(session, space.id, head)
    cuts: list[tuple[date, int]] = []
    running = 0
    for value, n in rows:
        running += int(n)
        cut = min(win.high, running // win.k * win.k)
        if cut > win.low and (not cuts or cut > cuts[-1][1]):
            cuts.append((_monday(value), cut))
    if len(cuts) > limit:
        step = len(cuts) / limit
        picked = [cuts[int(i * step)] for i in range(limit - 1)]
        cuts = [*dict.fromkeys(picked), cuts[-1]]
    return cuts


def span_dates(session: Session, space, win: Window) -> tuple[date | None, date | None]:
    """Japan dates of the first and last person the window covers."""
    if win.empty:
        return (None, None)
    r = ranked(space, win.module)
    first, last = session.execute(select(func.min(r.c.t), func.max(r.c.t))
                                  .where(in_window(r, win))).one()
    return jst_dates(first, last)


def jst_dates(first: datetime | None, last: datetime | None) -> tuple[date | None, date | None]:
    return (to_jst(first).date() if first else None, to_jst(last).date() if last else None)
