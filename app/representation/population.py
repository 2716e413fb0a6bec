"""Reference population: official counts by area, sex and age range, and their import.

A source (the 2020 census, the 2022 resident register, a municipality's own CSV) holds counts per
area x sex x inclusive age range. Ranges are single years (census), 5-year groups (register) or
whatever a CSV gives; the representation service splits them into a space's bands.

Unique constraints treat NULLs as distinct on both SQLite and PostgreSQL, so the age columns are
NOT NULL with sentinels instead: AGE_UNKNOWN (-1) in both columns means "age unknown", and
AGE_OPEN (999) in age_to means open-ended (e.g. 110+). Use `stored_range()` / `record_range()` to
convert; PopulationRecord keeps None for both cases.

The tables are in app/representation/models.py. Target shares for dimensions no statistic
covers (residency type, sector) are in targets.py: they are the facilitators' goals, labelled as
targets wherever they are shown.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.common.time import utcnow
from app.representation import population_files as pf
from app.representation.models import PopulationCount, PopulationSource

SOURCE_KINDS = ("census", "register", "csv")
SEXES = ("male", "female")
AGE_UNKNOWN = -1  # age_from and age_to of a count whose age is unknown
AGE_OPEN = 999  # age_to of an open-ended range such as 110+
TARGET_DIMENSIONS = ("residency", "relationship_kind", "furusato", "sector")
INSERT_CHUNK = 10_000

DATA_DIR = Path(__file__).resolve().parent / "data"
GOVERNMENT_TERMS = "政府標準利用規約（第2.0版）(Government of Japan Standard Terms of Use 2.0, CC BY 4.0 compatible)"
CENSUS_2020 = {
    "key": "census2020", "kind": "census",
    "title": "令和2年国勢調査 人口等基本集計 第2-1表（e-Stat statInfId 000032142404）",
    "reference_date": date(2020, 10, 1), "licence": GOVERNMENT_TERMS,
    "attribution": "出典：「令和2年国勢調査」（総務省統計局）を加工して作成",
}
REGISTER_2022 = {
    "key": "register2022", "kind": "register",
    "title": "住民基本台帳に基づく人口、人口動態及び世帯数 令和4年1月1日 年齢階級別人口（市区町村別）",
    "reference_date": date(2022, 1, 1), "licence": GOVERNMENT_TERMS,
    "attribution": "出典：総務省「住民基本台帳に基づく人口、人口動態及び世帯数」を加工して作成",
}
SHIPPED_FILES = {"census2020": (CENSUS_2020, DATA_DIR / "census2020.csv"),
                 "register2022": (REGISTER_2022, DATA_DIR / "register2022.csv")}


def stored_range(age_from: int | None, age_to: int | None) -> tuple[int, int]:
    """PopulationRecord ages -> column values (sentinels instead of NULL)."""
    if age_from is None:
        return AGE_UNKNOWN, AGE_UNKNOWN
    return age_from, AGE_OPEN if age_to is None else age_to


def record_range(age_from: int, age_to: int) -> tuple[int | None, int | None]:
    """Column values -> (from, to) with None for unknown / open-ended, as in PopulationRecord."""
    if age_from == AGE_UNKNOWN:
        return None, None
    return age_from, None if age_to == AGE_OPEN else age_to


# --- import -----------------------------------------------------------------

_KIND_ORDER = {"nation": 0, "prefecture": 1, "municipality": 2, "ward": 3}


def ensure_areas(session: Session, infos: Iterable[pf.AreaInfo]) -> int:
    """Create the areas of `infos` that do not exist yet; existing areas are left as they are.
    Bulk inserts level by level (nation, prefectures, municipalities, wards) so parents exist
    before their children. Returns how many were created. Only flushes."""
    by_code = {i.code: i for i in infos}
    ids = dict(session.execute(select(Area.code, Area.id)).all())
    created = 0
    for level in sorted(_KIND_ORDER, key=_KIND_ORDER.get):
        new = [i for i in by_code.values() if i.kind == level and i.code not in ids]
        if not new:
            continue
        session.execute(insert(Area), [
            {"code": i.code, "name_ja": i.name_ja, "name_en": "", "kind": i.kind,
             "parent_id": ids.get(i.parent_code) if i.parent_code else None}
            for i in sorted(new, key=lambda i: i.code)])
        ids = dict(session.execute(select(Area.code, Area.id)).all())
        created += len(new)
    return created


def import_population(session: Session, *, key: str, kind: str, title: str,
                      reference_date: date, licence: str = "", attribution: str = "",
                      records: Sequence[pf.PopulationRecord],
                      areas: Iterable[pf.AreaInfo] = ()) -> dict:
    """Store `records` as source `key`, replacing whatever that source held (idempotent).

    Areas named in `areas` are created when missing; records for area codes that exist neither in
    the database nor in `areas` are skipped and reported. Bulk inserts in chunks. Only flushes.
    Returns {'key', 'records', 'areas', 'areas_created', 'skipped_records', 'skipped_areas'}.
    """
    if kind not in SOURCE_KINDS:
        raise ValueError(f"source kind must be one of {SOURCE_KINDS}, got {kind!r}")
    if not key or len(key) > 60:
        raise ValueError("source key must be 1 to 60 characters")
    if not title:
        raise ValueError("source title is required")
    areas_created = ensure_areas(session, areas)
    source = session.scalar(select(PopulationSource).where(PopulationSource.key == key))
    if source is None:
        source = PopulationSource(key=key)
        session.add(source)
    source.kind, source.title, source.reference_date = kind, title, reference_date
    source.licence, source.attribution, source.imported_at = licence, attribution, utcnow()
    session.flush()
    session.execute(delete(PopulationCount).where(PopulationCount.source_id == source.id))

    ids = dict(session.execute(select(Area.code, Area.id)).all())
    rows, skipped_codes, skipped = [], set(), 0
    for r in records:
        area_id = ids.get(r.area_code)
        if area_id is None:
            skipped += 1
            skipped_codes.add(r.area_code)
            continue
        age_from, age_to = stored_range(r.age_from, r.age_to)
        rows.append((source.id, area_id, r.sex, age_from, age_to, r.count))
    _bulk_insert_counts(session, rows)
    return {"key": key, "records": len(rows), "areas": len({row[1] for row in rows}),
            "areas_created": areas_created, "skipped_records": skipped,
            "skipped_areas": sorted(skipped_codes)}


_COUNT_COLUMNS = ("source_id", "area_id", "sex", "age_from", "age_to", "count")


def _bulk_insert_counts(session: Session, rows: list[tuple]) -> None:
    """~110k rows in about a second: COPY on PostgreSQL (psycopg), chunked executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        columns = ", ".join(_COUNT_COLUMNS)
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY population_counts ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    table = PopulationCount.__table__
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(table), [dict(zip(_COUNT_COLUMNS, row))
                                        for row in rows[start:start + INSERT_CHUNK]])
    session.flush()


def import_estat_file(session: Session, path, **overrides) -> dict:
    """The e-Stat 2020 census 第2-1表 (.xlsx). `overrides` may change key, title, reference_date,
    licence or attribution (e.g. for a later census in the same layout)."""
    areas, records = pf.read_estat_census(path)
    return import_population(session, **{**CENSUS_2020, **overrides}, records=records, areas=areas)


def import_register_file(session: Session, path, **overrides) -> dict:
    """The Ministry's 住民基本台帳年齢階級別人口（市区町村別）(.xlsx); defaults describe the 2022 edition."""
    areas, records = pf.read_register(path)
    return import_population(session, **{**REGISTER_2022, **overrides}, records=records, areas=areas)


def import_csv_file(session: Session, path, *, key: str, title: str, reference_date: date,
                    licence: str, attribution: str = "") -> dict:
    """A plain `area_code,sex,age,count` CSV, e.g. a municipality's own resident-register figures.
    The key is stored as 'csv:<key>' so it can never replace a shipped source. Areas must exist."""
    records = pf.read_plain_csv(path)
    key = key if key.startswith("csv:") else f"csv:{key}"
    return import_population(session, key=key, kind="csv", title=title,
                             reference_date=reference_date, licence=licence,
                             attribution=attribution or title, records=records)


@lru_cache(maxsize=len(SHIPPED_FILES))
def _shipped_records(path: Path) -> tuple[pf.PopulationRecord, ...]:
    """Parsed once per process (records are immutable): tests and the demo load them often."""
    return tuple(pf.read_compact_csv(path))


def load_shipped_population(session: Session, *, replace: bool = True,
                            area_codes: Iterable[str] | None = None) -> dict:
    """Load the shipped areas and the compact census 2020 and register 2022 CSVs.

    replace=False keeps a source that is already loaded (the demo loader's fast path).
    area_codes limits the counts to those areas (tests; all areas are still created).
    Returns {'areas': n, 'census2020': import result or None, 'register2022': ...}. Only flushes.
    """
    from app.areas.services import load_shipped_areas

    result: dict = {"areas": load_shipped_areas(session)}
    wanted = set(area_codes) if area_codes is not None else None
    existing = set(session.scalars(select(PopulationSource.key)))
    for key, (meta, path) in SHIPPED_FILES.items():
        if not replace and key in existing:
            result[key] = None
            continue
        records = _shipped_records(path)
        if wanted is not None:
            records = [r for r in records if r.area_code in wanted]
        result[key] = import_population(session, **meta, records=records)
    return result


def list_sources(session: Session) -> list[PopulationSource]:
    return list(session.scalars(select(PopulationSource).order_by(PopulationSource.reference_date.desc(),
                                                                  PopulationSource.key)))
