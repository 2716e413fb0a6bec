"""Benchmark: the representation API against the bare GROUP BY on 1,000,000 ledger rows.

    python benchmarks/representation_api.py [--rows N] [--runs N] [--database-url URL]

Loads N participation rows (default 1,000,000, all in one space: the worst case) into a
temporary SQLite file and, when TEST_DATABASE_URL or --database-url is given, into PostgreSQL
(a database named 'bench' on that server, created if missing; the given database itself is never
touched). Then prints, for dimension age_band and gender, module all and forum, the median
latency of GET /api/v1/spaces/<slug>/representation through the Flask test client beside the
median of the bare GROUP BY (hand-written SQL, a CASE per row for age bands) on the same data,
and the API's own aggregate statement run alone. Goal: the API within 2x of the bare query and
under 300 ms on PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.areas.models import Area  # noqa: E402
from app.extensions import db  # noqa: E402
from app.representation.population import load_shipped_population  # noqa: E402
from app.representation.queries import counts_statement  # noqa: E402
from app.spaces.models import Space  # noqa: E402

COLUMNS = ("space_id", "user_id", "first_at", "forum", "proposals", "proposal_supporters",
           "surveys", "panel", "age", "gender", "residency", "sector", "home_area_id")
GENDERS = ["female"] * 40 + ["male"] * 50 + ["other"] * 2 + ["no_answer"] * 3 + [None] * 5
RESIDENCY = ["resident"] * 80 + ["relationship"] * 10 + ["commuter"] * 6 + ["dual_region"] * 2 + ["other"] * 2
SECTORS = [None, "industry", "government", "academia", "finance", "labour", "media",
           "professions", "civil_society", "none"]
CASES = [("age_band", "all"), ("age_band", "forum"), ("gender", "all"), ("gender", "forum")]
BAND_SQL = """CASE WHEN age IS NULL THEN '~unknown' WHEN age >= 80 THEN '80+'
 WHEN age >= 70 THEN '70-79' WHEN age >= 60 THEN '60-69' WHEN age >= 50 THEN '50-59'
 WHEN age >= 40 THEN '40-49' WHEN age >= 30 THEN '30-39' WHEN age >= 18 THEN '18-29'
 ELSE '~below' END"""


def ledger_rows(space_id: int, n: int, seed: int = 20260601):
    """Synthetic ledger rows, skewed like a real consultation (older men over-represented)."""
    rng = random.Random(seed)
    start = datetime(2026, 4, 1)
    ages = [None] * 6 + [16, 17] + list(range(18, 40)) + list(range(30, 90)) * 2
    for _ in range(n):
        forum = rng.random() < 0.45
        proposals = rng.random() < 0.15
        supporters = rng.random() < 0.35
        surveys = rng.random() < 0.40 or not (forum or proposals or supporters)
        yield (space_id, None, start + timedelta(seconds=rng.randrange(120 * 86400)), forum,
               proposals, supporters, surveys, False, rng.choice(ages), rng.choice(GENDERS),
               rng.choice(RESIDENCY), rng.choice(SECTORS), None)


def load_ledger(space_id: int, n: int) -> float:
    """Bulk-load n rows: COPY on PostgreSQL, executemany in chunks on SQLite."""
    started = time.perf_counter()
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY participations ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in ledger_rows(space_id, n):
                    copy.write_row(row)
    else:
        sql = f"INSERT INTO participations ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        batch = []
        for row in ledger_rows(space_id, n):
            batch.append((*row[:2], row[2].isoformat(sep=" "), *row[3:]))
            if len(batch) == 50_000:
                raw.executemany(sql, batch)
                batch.clear()
        if batch:
            raw.executemany(sql, batch)
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE participations" if conn.dialect.name == "postgresql"
                          else "ANALYZE"))
    return time.perf_counter() - started


def bare_sql(dimension: str, module: str) -> str:
    key = BAND_SQL if dimension == "age_band" else "gender"
    flag = " AND forum" if module == "forum" else ""
    return f"SELECT {key} AS k, count(*) FROM participations WHERE space_id = :s{flag} GROUP BY 1"


def paired_medians(first, second, runs: int) -> tuple[float, float]:
    """Median milliseconds of two actions, run alternately so both see the same machine load."""
    for _ in range(2):
        first()  # warm caches
        second()
    a, b = [], []
    for _ in range(runs):
        for action, timings in ((first, a), (second, b)):
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


def bench(url: str, rows: int, runs: int, label: str) -> list[tuple]:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    results = []
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        load_shipped_population(db.session, area_codes={"01100"})
        area = db.session.scalar(select(Area).where(Area.code == "01100"))
        space = Space(slug="bench", title="Benchmark", area=area)
        db.session.add(space)
        db.session.commit()
        seconds = load_ledger(space.id, rows)
        print(f"{label}: loaded {rows:,} ledger rows in {seconds:.1f} s")
        client = app.test_client()
        space_id = space.id
        db.session.remove()
        for dimension, module in CASES:
            url_path = f"/api/v1/spaces/bench/representation?dimension={dimension}&module={module}"
            first = client.get(url_path)
            assert first.status_code == 200, first.get_data(as_text=True)[:300]
            assert first.get_json()["participants"] > 0
            sql = text(bare_sql(dimension, module))

            own = counts_statement(SimpleNamespace(id=space_id, min_age=18), dimension, module=module)

            def bare():
                with db.engine.connect() as conn:
                    conn.execute(sql, {"s": space_id}).all()  # noqa: B023

            def own_sql():
                with db.engine.connect() as conn:
                    conn.execute(own).all()  # noqa: B023

            api_ms, bare_ms = paired_medians(lambda: client.get(url_path), bare, runs)  # noqa: B023
            own_ms, _ = paired_medians(own_sql, lambda: None, runs)
            results.append((label, dimension, module, api_ms, bare_ms, own_ms))
    return results


def postgres_bench_url(url: str) -> str:
    """The same server, database 'bench' (created if missing)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = 'bench'")):
            conn.execute(text("CREATE DATABASE bench"))
    admin.dispose()
    return parsed.set(database="bench").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL server to use (its database 'bench')")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += bench(f"sqlite:///{tmp}/bench.sqlite3", args.rows, args.runs, "SQLite")
    if args.database_url and args.database_url.startswith("postgresql"):
        results += bench(postgres_bench_url(args.database_url), args.rows, args.runs, "PostgreSQL")
    print("\nAPI: median of GET through the Flask test client. bare: the plain GROUP BY written by hand")
    print("(CASE per row for age bands). own: the API's own aggregate statement run alone.")
    print(f"{'database':<11} {'dimension':<10} {'module':<7} {'API ms':>8} {'bare ms':>8} {'ratio':>6} {'own ms':>8}")
    for label, dimension, module, api_ms, bare_ms, own_ms in results:
        print(f"{label:<11} {dimension:<10} {module:<7} {api_ms:8.1f} {bare_ms:8.1f} "
              f"{api_ms / bare_ms:6.2f} {own_ms:8.1f}")
    pg = [r for r in results if r[0] == "PostgreSQL"]
    if pg:
        ok = all(api < 300 and api <= 2 * bare for _, _, _, api, bare, _ in pg)
        print(f"\nPostgreSQL goal (API < 300 ms and within 2x of the bare query): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    sqlite3.register_adapter(bool, int)
    main()
