"""Stored tallies of the ledger's chains, so a page of a space with a million participants reads
a few rows and a few thousand ledger rows, not the whole ledger.

A chain (app/representation/batches) ranks a space's people by (time, id). Every CHUNK people a
`LedgerTally` row stores what ranks 1..rank count (cumulative: by age and gender, by each target
block's columns, and per Japan week) and which person is at `rank`. What ranks a..b count is then
prefix(b) - prefix(a), and prefix(r) is the tally at the chunk boundary below r plus the fewer
than CHUNK ledger rows after it, read in key order from that person on (an index range).

Tallies are derived data and are kept correct by removal, never by update:
- they cover only *settled* people, whose time is more than SETTLE ago, so the ledger's normal
  writes (a first contribution now, a module used now) come after every tally and change none;
- any write that touches an older row (a withdrawal of consent, a late answer, a back-dated
  import) removes the tallies from that row's key on, in the same transaction (`stale_from`,
  called from the ORM's flush and from bulk statements); an unknown bulk statement on the
  ledger removes every tally;
- a build and a removal take the same lock (the space's row, FOR UPDATE on PostgreSQL) before
  they read, so a build never stores what a concurrent removal took away.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (DateTime, Integer, String, case, cast, delete, event, func, literal, null,
                        select, tuple_, union_all)
from sqlalchemy.orm import Session, attributes

from app.common import invalidation
from app.common.sql import dialect_insert
from app.common.time import utcnow
from app.representation.models import MODULE_FLAG_COLUMNS, LedgerTally, Participation
from app.representation.queries import sql_int, sql_key, week_expression

CHUNK = 1024  # people per tally: a prefix reads fewer than this many ledger rows
SETTLE = timedelta(minutes=10)  # longer than any request's transaction
# At most this many new tallies per chain per request (256 x 1,024 rows: a few seconds), so a
# first view after an import never nears the server's timeout; later views, or
# `flask representation tallies`, store the rest. Until then prefixes read longer ranges.
BUILD_LIMIT = 256
CHAINS = ("all", *MODULE_FLAG_COLUMNS)
# Every column a target block may group by (app/representation/target_blocks.block_columns);
# a page that groups by fewer adds the finer counts up.
BLOCK_COLUMNS = {"residency": ("residency", "tie_kind"), "sector": ("sector",),
                 "furusato": ("furusato_tier",)}
SKIP_OPTION = "hiroba_tallies"  # execution option of a bulk statement: "counts_unchanged"


def chain_time(chain: str):
    """The column that orders a chain (batches.chain_time checks the name first)."""
    return Participation.first_at if chain == "all" else getattr(Participation, f"{chain}_at")


def in_chain(space_id: int, chain: str) -> list:
    """The space's rows in the chain (those with a time for it)."""
    return [Participation.space_id == space_id, chain_time(chain).is_not(None)]


def after_key(chain: str, key) -> list:
    """The chain's rows after `key` (time, id) in chain order; every row for None."""
    if key is None:
        return []
    return [tuple_(chain_time(chain), Participation.id) > tuple_(
        literal(key[0], DateTime()), literal(key[1], Integer()))]


@dataclass
class Prefix:
    """What a chain's first `rank` people count."""
    rank: int
    age_gender: Counter = field(default_factory=Counter)  # (age, gender) -> n
    blocks: dict = field(default_factory=lambda: {b: Counter() for b in BLOCK_COLUMNS})
    last_at: datetime | None = None  # time of the person at `rank`

    def minus(self, other: Prefix) -> Prefix:
        return Prefix(self.rank - other.rank, self.age_gender - other.age_gender,
                      {b: self.blocks[b] - other.blocks[b] for b in BLOCK_COLUMNS}, self.last_at)

    def add_rows(self, part: str, key: tuple, n: int) -> None:
        if part == "ag":
            self.age_gender[key] += n
        else:
            self.blocks[part][key] += n

    def as_json(self) -> dict:
        return {"ag": [[*k, n] for k, n in self.age_gender.items() if n],
                **{b: [[*k, n] for k, n in c.items() if n] for b, c in self.blocks.items()}}

    @classmethod
    def from_json(cls, rank: int, data: dict, last_at) -> Prefix:
        prefix = cls(rank, last_at=last_at)
        for part in ("ag", *BLOCK_COLUMNS):
            for *key, n in data.get(part, ()):
                prefix.add_rows(part, tuple(key), int(n))
        return prefix


@dataclass(frozen=True)
class ChainHead:
    """The chain's last tally (None: none yet) and how many people come after it."""
    chain: str
    rank: int
    key: tuple | None  # (time, id) of the person at `rank`
    tail: int

    @property
    def members(self) -> int:
        return self.rank + self.tail


# --- reading -------------------------------------------------------------------------------

def heads(session: Session, space_id: int, chains=CHAINS, *, build: bool = True) -> dict:
    """Each chain's head (its size is head.members), building the tallies that are due first
    (every CHUNK settled people past the last one). Two statements, three while building."""
    found = _last_tallies(session, space_id, chains)
    counts = _tails(session, space_id, found)
    if build and any(settled >= CHUNK for _tail, settled in counts.values()):
        _build(session, space_id, [c for c in chains if counts[c][1] >= CHUNK])
        found = _last_tallies(session, space_id, chains)
        counts = _tails(session, space_id, found)
    return {c: ChainHead(c, found[c][0], found[c][1], counts[c][0]) for c in chains}


def _last_tallies(session, space_id, chains) -> dict:
    """chain -> (rank, key) of its last tally, (0, None) without one."""
    newest = (select(LedgerTally.chain, func.max(LedgerTally.rank).label("rank"))
              .where(LedgerTally.space_id == space_id, LedgerTally.chain.in_(chains))
              .group_by(LedgerTally.chain).subquery())
    rows = session.execute(select(LedgerTally.chain, LedgerTally.rank, LedgerTally.last_at,
                                  LedgerTally.last_id)
                           .join(newest, (LedgerTally.chain == newest.c.chain)
                                 & (LedgerTally.rank == newest.c.rank))
                           .where(LedgerTally.space_id == space_id)).all()
    found = {c: (0, None) for c in chains}
    for chain, rank, last_at, last_id in rows:
        found[chain] = (rank, (last_at, last_id))
    return found


def _tails(session, space_id, found) -> dict:
    """chain -> (people after its last tally, of whom settled), one UNION ALL of index ranges."""
    before = literal(utcnow() - SETTLE, DateTime())
    parts = []
    for chain, (_rank, key) in found.items():
        t = chain_time(chain)
        parts.append(select(sql_key(chain), func.count(), func.sum(case((t < before, 1), else_=0)))
                     .where(*in_chain(space_id, chain), *after_key(chain, key)))
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    return {chain: (int(n or 0), int(settled or 0)) for chain, n, settled in rows}


def chain_weeks(session: Session, space_id: int, head: ChainHead) -> list[tuple]:
    """(Monday, people whose chain time fell in that Japan week), oldest first: the last
    tally's weeks (they are cumulative) and the weeks of the rows after it, two statements."""
    weeks: Counter = Counter()
    key = None
    if head.rank:
        last = session.execute(select(LedgerTally.weeks, LedgerTally.last_at, LedgerTally.last_id)
                               .where(LedgerTally.space_id == space_id,
                                      LedgerTally.chain == head.chain,
                                      LedgerTally.rank <= head.rank)
                               .order_by(LedgerTally.rank.desc()).limit(1)).first()
        if last is not None:  # None: removed by a write since the head was read
            weeks.update({day: int(n) for day, n in last[0].items()})
            key = (last[1], last[2])
    week = week_expression(session.get_bind().dialect.name, chain_time(head.chain))
    tail = (select(week.label("week")).where(*in_chain(space_id, head.chain),
                                             *after_key(head.chain, key)).subquery())
    for day, n in session.execute(select(tail.c.week, func.count()).group_by(tail.c.week)):
        weeks[str(day)[:10]] += int(n)
    return sorted(weeks.items())


def prefixes(session: Session, space_id: int, chain: str, ranks, *, blocks=(),
             first_after: int | None = None) -> tuple[dict[int, Prefix], datetime | None]:
    """{rank: Prefix} for each of `ranks` (at most the chain's size), counting target `blocks`
    only for the ranks in `blocks`, and the time of the person at rank `first_after` + 1. Two
    statements: the tallies below the ranks, then one UNION ALL over the rows after them."""
    ranks = sorted(set(ranks) | ({first_after} if first_after is not None else set()))
    bases, stored = _tallies_below(session, space_id, chain, ranks)
    out = {r: _copy(stored[bases[r]][0]) if bases[r] else Prefix(0) for r in ranks}
    parts = _edge_parts(space_id, chain, ranks, bases, stored, blocks, first_after)
    first_at = None
    if parts:
        statement = union_all(*parts) if len(parts) > 1 else parts[0]
        for part, j, a, b, c, n, last in session.execute(statement):
            if part == "first":
                first_at = last
            elif part == "ag":
                prefix = out[ranks[j]]
                prefix.add_rows("ag", (a, b), int(n))
                prefix.last_at = last if prefix.last_at is None else max(prefix.last_at, last)
            else:
                key = (b, c) if len(BLOCK_COLUMNS[part]) > 1 else (b,)
                out[ranks[j]].add_rows(part, key, int(n))
    for r in ranks:
        out[r].rank = r
    return out, first_at


def _tallies_below(session, space_id, chain, ranks) -> tuple[dict, dict]:
    """rank -> the tally boundary it counts from, and boundary -> (Prefix, key)."""
    bases = {r: r // CHUNK * CHUNK for r in ranks}
    stored = {}
    wanted = sorted({b for b in bases.values() if b > 0})
    if wanted:
        for rank, last_at, last_id, counts in session.execute(
                select(LedgerTally.rank, LedgerTally.last_at, LedgerTally.last_id,
                       LedgerTally.counts)
                .where(LedgerTally.space_id == space_id, LedgerTally.chain == chain,
                       LedgerTally.rank.in_(wanted))):
            stored[rank] = (Prefix.from_json(rank, counts, last_at), (last_at, last_id))
    # A tally removed by a write since the head was read: count from the one below.
    for r in ranks:
        while bases[r] > 0 and bases[r] not in stored:
            bases[r] -= CHUNK
    return bases, stored


def _edge_parts(space_id, chain, ranks, bases, stored, blocks, first_after) -> list:
    """For each rank, GROUP BYs over the rows between its tally and it (an index range in
    chain order), and the row after `first_after`."""
    t = chain_time(chain)
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    parts = []
    for j, r in enumerate(ranks):
        if r - bases[r] <= 0:
            continue
        key = stored[bases[r]][1] if bases[r] else None
        edge = (select(Participation.age, Participation.gender,
                       *(getattr(Participation, c) for cs in BLOCK_COLUMNS.values() for c in cs),
                       t.label("t"))
                .where(*in_chain(space_id, chain), *after_key(chain, key))
                .order_by(t, Participation.id).limit(r - bases[r]).subquery(f"e{j}"))
        parts.append(select(sql_key("ag").label("part"), sql_int(j).label("j"),
                            edge.c.age.label("a"), edge.c.gender.label("b"), no_text.label("c"),
                            func.count().label("n"), func.max(edge.c.t).label("last"))
                     .group_by(edge.c.age, edge.c.gender))
        if r in blocks:
            for block, columns in BLOCK_COLUMNS.items():
                keys = [getattr(edge.c, c) for c in columns]
                parts.append(select(sql_key(block).label("part"), sql_int(j).label("j"),
                                    no_int.label("a"), keys[0].label("b"),
                                    (keys[1] if len(keys) > 1 else no_text).label("c"),
                                    func.count().label("n"), func.max(edge.c.t).label("last"))
                             .group_by(*keys))
    if first_after is not None:
        base = bases[first_after]
        key = stored[base][1] if base else None
        one = (select(t.label("t")).where(*in_chain(space_id, chain), *after_key(chain, key))
               .order_by(t, Participation.id).offset(first_after - base).limit(1).subquery("f"))
        parts.append(select(sql_key("first").label("part"), sql_int(-1).label("j"),
                            no_int.label("a"), no_text.label("b"), no_text.label("c"),
                            func.count().label("n"), func.max(one.c.t).label("last")))
    return parts


def _copy(prefix: Prefix) -> Prefix:
    return Prefix(prefix.rank, Counter(prefix.age_gender),
                  {b: Counter(c) for b, c in prefix.blocks.items()}, prefix.last_at)


# --- building ------------------------------------------------------------------------------

def _lock(connection, space_ids) -> None:
    """Builds and removals of a space's tallies wait for each other (PostgreSQL; SQLite lets
    one writer in at a time anyway). `space_ids` None: every space."""
    from app.spaces.models import Space

    spaces = Space.__table__
    query = select(spaces.c.id).order_by(spaces.c.id).with_for_update()
    if space_ids is not None:
        query = query.where(spaces.c.id.in_(sorted(space_ids)))
    connection.execute(query).all()


def _build(session: Session, space_id: int, chains) -> None:
    """Store a tally for every CHUNK settled people after each chain's last one: one statement
    per chain groups the new chunks' rows; the running sums are added up here."""
    _lock(session.connection(), [space_id])
    found = _last_tallies(session, space_id, chains)  # again: another build may have run
    before = literal(utcnow() - SETTLE, DateTime())
    dialect = session.get_bind().dialect.name
    for chain in chains:
        rank, key = found[chain]
        t = chain_time(chain)
        settled = [*in_chain(space_id, chain), *after_key(chain, key), t < before]
        n = session.scalar(select(func.count()).select_from(Participation).where(*settled)) or 0
        if n < CHUNK:
            continue
        rows = (select(Participation.age, Participation.gender,
                       *(getattr(Participation, c) for cs in BLOCK_COLUMNS.values() for c in cs),
                       t.label("t"), Participation.id.label("pid"),
                       week_expression(dialect, t).label("week"))
                .where(*settled).order_by(t, Participation.id)
                .limit(min(n // CHUNK, BUILD_LIMIT) * CHUNK)
                .subquery("rows"))
        rn = func.row_number().over(order_by=(rows.c.t, rows.c.pid))
        numbered = select(rows, rn.label("rn"), ((rn - 1) // sql_int(CHUNK)).label("c")) \
            .subquery("numbered")
        _store(session, space_id, chain, rank, numbered)


def _store(session: Session, space_id: int, chain: str, rank: int, numbered) -> None:
    c = numbered.c
    no_int, no_text, no_time = (cast(null(), Integer), cast(null(), String),
                                cast(null(), DateTime))
    parts = [select(sql_key("ag").label("part"), c.c.label("chunk"), c.age.label("a"),
                    c.gender.label("b"), no_text.label("d"), func.count().label("n"),
                    no_time.label("at"), no_int.label("pid"))
             .group_by(c.c, c.age, c.gender),
             select(sql_key("wk"), c.c, no_int, cast(c.week, String), no_text, func.count(),
                    no_time, no_int).group_by(c.c, c.week),
             select(sql_key("end"), c.c, no_int, no_text, no_text, c.rn, c.t, c.pid)
             .where(c.rn % sql_int(CHUNK) == 0)]
    for block, columns in BLOCK_COLUMNS.items():
        keys = [getattr(c, name) for name in columns]
        parts.append(select(sql_key(block), c.c, no_int, keys[0],
                            keys[1] if len(keys) > 1 else no_text, func.count(), no_time,
                            no_int).group_by(c.c, *keys))
    chunks: dict[int, dict] = {}
    for part, chunk, a, b, d, n, at, pid in session.execute(union_all(*parts)):
        entry = chunks.setdefault(int(chunk), {"rows": [], "weeks": {}, "end": None})
        if part == "end":
            entry["end"] = (at, pid)
        elif part == "wk":
            entry["weeks"][str(b)[:10]] = int(n)
        else:
            key = (a, b) if part == "ag" else ((b, d) if len(BLOCK_COLUMNS[part]) > 1 else (b,))
            entry["rows"].append((part, key, int(n)))
    running, weeks = _stored_prefix(session, space_id, chain, rank)
    values = []
    for chunk in sorted(chunks):
        entry = chunks[chunk]
        for part, key, n in entry["rows"]:
            running.add_rows(part, key, n)
        weeks.update(entry["weeks"])
        at, pid = entry["end"]
        values.append({"space_id": space_id, "chain": chain, "rank": rank + (chunk + 1) * CHUNK,
                       "last_at": at, "last_id": pid, "counts": running.as_json(),
                       "weeks": dict(sorted(weeks.items()))})
    if values:
        insert = dialect_insert(session)
        session.execute(insert(LedgerTally).values(values).on_conflict_do_nothing(
            index_elements=["space_id", "chain", "rank"]))


def _stored_prefix(session, space_id, chain, rank) -> tuple[Prefix, Counter]:
    if not rank:
        return Prefix(0), Counter()
    counts, weeks = session.execute(select(LedgerTally.counts, LedgerTally.weeks).where(
        LedgerTally.space_id == space_id, LedgerTally.chain == chain,
        LedgerTally.rank == rank)).one()
    return Prefix.from_json(rank, counts, None), Counter(weeks)


# --- keeping them true: removal from the first changed key on -------------------------------

def _remove(connection, marks) -> None:
    """marks: (space_id, chain or None, time or None, id) of ledger rows written; None chain or
    time: every tally of the space; a None space: every tally. Rows that are not settled are in
    no tally, so they remove nothing (the normal case: a contribution made now)."""
    settled_before = utcnow() - SETTLE
    due = [m for m in marks if m[2] is None or m[2] < settled_before]
    if not due:
        return
    table = LedgerTally.__table__
    if any(m[0] is None for m in due):
        _lock(connection, None)
        connection.execute(delete(table))
        return
    _lock(connection, {m[0] for m in due})
    for space_id, chain, at, ident in due:
        query = delete(table).where(table.c.space_id == space_id)
        if chain is not None and at is not None:
            query = query.where(table.c.chain == chain, tuple_(table.c.last_at, table.c.last_id)
                                >= tuple_(literal(at, DateTime()), literal(ident or 0, Integer())))
        connection.execute(query)


def stale_scope(space_id: int, chains, at: datetime | None, ident: int | None = None) -> list:
    """The execution option of a bulk ledger statement that changes only rows of `space_id`
    keyed at `at` (None: any row) in `chains` (None: all)."""
    return [(space_id, chain, at, ident) for chain in (chains or [None]) if chain is None
            or chain in CHAINS]


def _row_marks(obj) -> list:
    marks = []
    state = attributes.instance_state(obj)
    for chain in CHAINS:
        name = "first_at" if chain == "all" else f"{chain}_at"
        history = state.attrs[name].history
        times = [v for v in (*history.added, *history.unchanged, *history.deleted)
                 if v is not None]
        if not times and name not in state.dict:  # expired: read it from the row
            value = getattr(obj, name, None)
            times = [value] if value is not None else []
        if times:
            marks.append((obj.space_id, chain, min(times), obj.id))
    return marks


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    marks = [m for obj in (*session.new, *session.dirty, *session.deleted)
             if isinstance(obj, Participation) for m in _row_marks(obj)]
    if marks:
        _remove(session.connection(), marks)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not Participation:
        return
    scope = state.execution_options.get(SKIP_OPTION)
    if scope == "counts_unchanged":
        return
    scope = scope or [(None, None, None, None)]
    _remove(state.session.connection(), scope)
    # The shared dashboard (dashboard_views) is keyed by the ledger's generations: a statement
    # that changed rows makes them stale; one that changed none (a module used again) does not.
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:
        for space_id in {m[0] for m in scope}:
            invalidation.touch(state.session, "ledger", 0 if space_id is None else space_id)
    return result
