"""The facilitators' dashboard of a space with 1,000,000 ledger rows.

    python benchmarks/dashboard.py [--rows 1000000] [--duration 10] [--connections 16]

Needs the scale data set of benchmarks/load.py (it is generated first when missing). Adds, once,
a space `scale-big` beside `scale-01` (same area, same facilitator) whose ledger holds `--rows`
rows written with COPY: first participations spread over the last year, ages and genders drawn
like the adult population, about 10% without an answer, rows unlinked from accounts (as after an
account's erasure), so the data set needs no million users. Then starts gunicorn in production
mode and prints: the first view (the stored tallies are built then), one facilitator's views one
after another (p50, p90 of 30), and the page under wrk at 16 connections.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (the load benchmark's server, login and wrk helpers)

SLUG = "scale-big"
MODULES = ("forum", "proposals", "proposal_supporters", "surveys")


def ensure_big_space(url: str, rows: int) -> int:
    import psycopg

    with psycopg.connect(load.sql_url(url), autocommit=True) as connection:
        found = connection.execute("SELECT id FROM spaces WHERE slug = %s", (SLUG,)).fetchone()
        if found:
            have = connection.execute("SELECT count(*) FROM participations WHERE space_id = %s",
                                      found).fetchone()[0]
            if have == rows:
                return found[0]
            raise SystemExit(f"{SLUG} holds {have} ledger rows, not {rows}: drop the data set "
                             f"or pass --rows {have}")
        columns = [name for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'spaces' "
            "AND column_name NOT IN ('id', 'slug', 'title')")]
        listed = ", ".join(columns)
        space_id = connection.execute(
            f"INSERT INTO spaces (slug, title, {listed}) SELECT %s, %s, {listed} "  # nosec B608
            "FROM spaces WHERE slug = 'scale-01' RETURNING id",
            (SLUG, "百万人の場 (benchmark)")).fetchone()[0]
        connection.execute(
            "INSERT INTO roles (user_id, role, space_id, created_at) SELECT user_id, role, %s, now() "
            "FROM roles WHERE space_id = (SELECT id FROM spaces WHERE slug = "
            "'scale-01')", (space_id,))
        started = time.perf_counter()
        rng = random.Random(2026)
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        start = now - timedelta(days=365)
        seconds = int((now - timedelta(hours=1) - start).total_seconds())
        times = sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(rows))
        names = ("space_id", "first_at", *MODULES, "panel", *(f"{m}_at" for m in MODULES),
                 "age", "gender", "residency", "sector", "residency_asked")
        with connection.cursor() as cursor, cursor.copy(
                f"COPY participations ({', '.join(names)}) FROM STDIN") as copy:
            for at in times:
                used = [rng.random() < share for share in (0.3, 0.3, 0.6, 0.3)]
                answered = rng.random() < 0.9
                copy.write_row((space_id, at, *used, False, *(at if u else None for u in used),
                                rng.choice(range(18, 90)) if answered else None,
                                rng.choice(("female", "male")) if answered else None,
                                "resident" if rng.random() < 0.85 else "relationship",
                                None, True))
        connection.execute("ANALYZE participations")
        print(f"{SLUG}: {rows:,} ledger rows in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        return space_id


def timed_get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": load.AGENT})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as answer:  # nosec B310: our own server on 127.0.0.1
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"the dashboard answered {answer.status}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = load.arguments(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    base, env = load.server_env(args)
    load.ensure_data(args.database_url, 100_000, env)
    ensure_big_space(args.database_url, args.rows)
    tallied = load.run_sql(args.database_url, "SELECT count(*) FROM ledger_tallies t JOIN spaces "
                           "s ON s.id = t.space_id WHERE s.slug = %s", SLUG)[0][0]
    server = load.start_server(env, args.port)
    try:
        cookie, _ = load.log_in(base, load.FACILITATOR)
        url = f"{base}/spaces/{SLUG}/representation/"
        first = timed_get(url, cookie)
        views = sorted(timed_get(url, cookie) for _ in range(30))
        if args.warmup:  # every worker draws the page once before it is measured
            load.wrk(url, args.warmup, args.connections, load.cookie_lua(cookie))
        result = load.wrk(url, args.duration, args.connections, load.cookie_lua(cookie))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nDashboard of {SLUG}: {args.rows:,} ledger rows, {os.cpu_count()} cores\n")
    print("| measurement | p50 | p90 / p99 | req/s | errors |")
    print("|---|---|---|---|---|")
    print(f"| first view ({'tallies stored before' if tallied else 'builds the tallies'}) "
          f"| {first:,.0f} ms | | | |")
    print(f"| one facilitator, 30 views in a row | {statistics.median(views):,.0f} ms | "
          f"{views[26]:,.0f} ms (p90) | | 0 |")
    print(f"| {args.connections} connections, {args.duration} s | {result['p50']:,.0f} ms | "
          f"{result['p99']:,.0f} ms (p99) | {result['rps']:,.0f} | {result['errors']} |")


if __name__ == "__main__":
    main()
