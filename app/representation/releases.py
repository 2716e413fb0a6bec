"""Public releases: frozen snapshots of a space's representation figures.

The public never sees live figures. A release covers everyone up to the last cut of the
facilitators' batches, and is made (by a facilitator, or by the scheduled check) only when at
least the public minimum of new participants joined since the previous release; so two releases
differ by at least k people, whatever their difference shows. Each release is protected on its
own (app/representation/page.py with the public minimum) and stored as served. No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.common.errors import N_, DomainError
from app.common.time import utcnow
from app.representation import batches
from app.representation.reports import (CategoryLabel, CategoryRow, HeadlineFigure, Report)
from app.representation.models import Release
from app.representation.page import (ANSWERED, LEFT_OUT, NO_ANSWER, UNREFERENCED,
                                     RepresentationPage, build_page)
from app.representation.reference import Reference
from app.representation.stats import ChiSquare

PUBLIC_DIMENSIONS = ("gender", "age_band", "residency")
_TOTAL_KEYS = (("answered", ANSWERED), ("unknown", NO_ANSWER), ("unreferenced", UNREFERENCED),
               ("left_out", LEFT_OUT))  # gender only; releases before issue #12 lack it


class ReleaseError(DomainError):
    """A release cannot be made now (a DomainError: the view refuses the request with it)."""


@dataclass(frozen=True)
class Readiness:
    covered: int  # people the next release would cover
    previous: int  # people the last release covered
    needed: int  # the public minimum

    @property
    def new(self) -> int:
        return self.covered - self.previous

    @property
    def ready(self) -> bool:
        return self.covered > 0 and self.new >= self.needed

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.new)


def list_releases(session: Session, space) -> list[Release]:
    return list(session.scalars(select(Release).where(Release.space_id == space.id)
                                .order_by(Release.number.desc())))


def get_release(session: Session, space, number: int) -> Release | None:
    return session.scalar(select(Release).where(Release.space_id == space.id,
                                                Release.number == number))


def latest_release(session: Session, space) -> Release | None:
    return session.scalar(select(Release).where(Release.space_id == space.id)
                          .order_by(Release.number.desc()).limit(1))


def readiness(session: Session, space, *, public_k: int, batch: int) -> Readiness:
    return readiness_of(list_releases(session, space), batches.members(session, space),
                        public_k=public_k, batch=batch)


def readiness_of(items: list[Release], members: int, *, public_k: int, batch: int) -> Readiness:
    """Readiness from the space's releases and the number of people in its ledger: the next
    release covers everyone up to the last cut of the facilitators' batches."""
    previous = max((release.participants for release in items), default=0)
    return Readiness(members // batch * batch, previous, public_k)


def is_published(space) -> bool:
    """Whether the public may see this space's releases at all."""
    return bool(space.transparency_public) and space.visibility == "public"


def create_release(session: Session, space, actor, *, public_k: int, batch: int,
                   at: datetime | None = None, upto: int | None = None) -> Release:
    """Freeze the figures now (or, for the demo's history, of the first `upto` people: a
    multiple of `batch`). Only flushes. Raises ReleaseError when fewer than `public_k` people
    joined since the last release."""
    win = batches.release_window(session, space, k=public_k, batch=batch)
    if upto is not None:
        if upto % batch or upto > win.high:
            raise ValueError("upto must be a closed cut of the facilitators' batches")
        win = batches.Window("all", batch, 0, upto, win.members)
    state = readiness(session, space, public_k=public_k, batch=batch)
    state = Readiness(win.high, state.previous, state.needed)
    if not state.ready:
        raise ReleaseError(N_("A release needs at least %(needed)s new participants since the "
                              "previous one; %(new)s have joined."), needed=state.needed,
                           new=max(0, state.new))
    page = build_page(session, space, window=batches.Window("all", public_k, 0, win.high,
                                                            win.members),
                      k=public_k, dimensions=PUBLIC_DIMENSIONS, series=False)
    number = (session.scalar(select(func.max(Release.number))
                             .where(Release.space_id == space.id)) or 0) + 1
    release = Release(space_id=space.id, number=number, published_at=at or utcnow(),
                      published_by_id=actor.id if actor is not None else None,
                      participants=win.high, min_cell=public_k, payload=freeze(page))
    session.add(release)
    session.flush()
    return release


def release_for_window(session: Session, space, win: batches.Window) -> Release | None:
    """The release covering exactly this window, if any (its figures are public already)."""
    return release_of_window(list_releases(session, space), win)


def release_of_window(items: list[Release], win: batches.Window) -> Release | None:
    """release_for_window among the space's releases (list_releases), already loaded."""
    if win.module != "all" or win.low != 0 or win.empty:
        return None
    return next((release for release in items if release.participants == win.high), None)


def fixed_keys(release: Release | None) -> frozenset:
    if release is None:
        return frozenset()
    return frozenset(tuple(key) for key in release.payload.get("shown_keys", []))


def fixed_figures(release: Release | None) -> dict:
    """{figure key: value} of what the release printed (counts and totals of its tables, the
    youth count): the facilitators' audit of the same window keeps these shown, but only where
    the value is unchanged (build_page compares)."""
    if release is None:
        return {}
    payload = release.payload
    printed = {("total",): payload["participants"]}
    for dimension, report in payload["reports"].items():
        printed.update({(dimension, c["key"]): c["count"] for c in report["categories"]
                        if c["count"] is not None})
        printed.update({(dimension, key): report[name] for name, key in _TOTAL_KEYS
                        if report.get(name) is not None})
    youth = payload["headline"].get("youth")
    if youth and youth["count"] is not None:
        printed[("headline", "youth")] = youth["count"]
    shown = fixed_keys(release)
    return {key: value for key, value in printed.items() if key in shown}


# --- freezing and thawing ------------------------------------------------------------------

def _reference_dict(ref: Reference) -> dict:
    return {"area_codes": list(ref.area_codes), "source": ref.source, "source_key": ref.source_key,
            "reference_date": ref.reference_date.isoformat() if ref.reference_date else None,
            "base_min_age": ref.base_min_age, "kind": ref.kind, "estimated": ref.estimated,
            "attribution": ref.attribution, "licence": ref.licence,
            "shape_areas": list(ref.shape_areas), "unknown_age_share": ref.unknown_age_share}


def _reference(data: dict) -> Reference:
    day = data.get("reference_date")
    return Reference(tuple(data["area_codes"]), data["source"], data["source_key"],
                     date.fromisoformat(day) if day else None, data["base_min_age"], data["kind"],
                     data["estimated"], data["attribution"], data["licence"],
                     shape_areas=tuple(data.get("shape_areas", ())),
                     unknown_age_share=data.get("unknown_age_share"))


# Releases made before issue #12 lack the later fields: thawing gives them their defaults (None,
# so those releases show no verdict rather than an invented one).
_ROW_FIELDS = ("key", "count", "share", "population", "population_share", "ratio", "ci_low",
               "ci_high", "flag", "parity_gap", "suppressed", "row_key", "col_key", "verdict",
               "p_value", "p_adjusted", "interval_method", "unknown_low", "unknown_high",
               "estimated")
_HEADLINE_FIELDS = ("key", "count", "n", "share", "population", "population_share", "ratio",
                    "ci_low", "ci_high", "flag", "parity_gap", "suppressed", "low", "high",
                    "estimated", "verdict", "interval_method", "unknown_low", "unknown_high",
                    "left_out")
_REPORT_EXTRA = ("overall_method", "overall_p_value", "overall_significant", "merged",
                 "expected_dissimilarity", "withheld", "left_out")


def _report_dict(report: Report) -> dict:
    return {"dimension": report.dimension, "reference": _reference_dict(report.reference),
            "participants": report.participants, "answered": report.answered,
            "unknown": report.unknown, "unreferenced": report.unreferenced,
            "min_cell": report.min_cell, "available": report.available,
            "unavailable_reason": report.unavailable_reason,
            "chi_square": {"statistic": report.chi_square.statistic, "df": report.chi_square.df,
                           "p_value": report.chi_square.p_value, "valid": report.chi_square.valid,
                           "reason": report.chi_square.reason},
            "dissimilarity": report.dissimilarity,
            "rate_ratio_min_max": report.rate_ratio_min_max,
            **{f: getattr(report, f) for f in _REPORT_EXTRA},
            "categories": [{f: getattr(c, f) for f in _ROW_FIELDS} for c in report.categories]}


def freeze(page: RepresentationPage) -> dict:
    return {"participants": page.participants, "min_cell": page.k,
            "first_day": page.first_day.isoformat() if page.first_day else None,
            "last_day": page.last_day.isoformat() if page.last_day else None,
            "reference": _reference_dict(page.reference),
            "headline": {key: ({f: getattr(fig, f) for f in _HEADLINE_FIELDS} if fig else None)
                         for key, fig in page.headline.items()},
            "reports": {d: _report_dict(r) for d, r in page.reports.items()},
            "shown_keys": [list(key) for key in page.shown_keys]}


def thaw_report(space_slug: str, data: dict) -> Report:
    chi = data["chi_square"]
    # a release made before rows carried `estimated` did not keep it: unknown, not False
    rows = [CategoryRow(label=CategoryLabel(data["dimension"], c["key"]),
                        **{"estimated": None, **c}) for c in data["categories"]]
    return Report(space_slug, data["dimension"], "all", _reference(data["reference"]),
                  data["participants"], data["answered"], data["unknown"], data["unreferenced"],
                  data["min_cell"], rows,
                  ChiSquare(chi["statistic"], chi["df"], chi["p_value"], chi["valid"],
                            chi["reason"]),
                  data["dissimilarity"], data["rate_ratio_min_max"], data["available"],
                  data["unavailable_reason"],
                  **{f: data[f] for f in _REPORT_EXTRA if f in data})


def thaw_headline(payload: dict) -> dict:
    """{'youth'|'women': HeadlineFigure or None} of a release's payload, as it was served."""
    return {key: (HeadlineFigure(label=CategoryLabel("headline", key), **fig) if fig else None)
            for key, fig in payload["headline"].items()}


def thaw(space_slug: str, release: Release) -> dict:
    """{'reports': {dimension: Report}, 'figures': headline dict for the presenters}."""
    payload = release.payload
    headline = thaw_headline(payload)
    reference = _reference(payload["reference"])
    return {"reports": {d: thaw_report(space_slug, r) for d, r in payload["reports"].items()},
            "figures": {**headline, "reference": reference,
                        "participants": payload["participants"]},
            "reference": reference}


def auto_release(session: Session, spaces, *, public_k: int, batch: int) -> list[Release]:
    """The scheduled check: a release for every published space that has enough newcomers."""
    made = []
    for space in spaces:
        if is_published(space) and readiness(session, space, public_k=public_k,
                                             batch=batch).ready:
            made.append(create_release(session, space, None, public_k=public_k, batch=batch))
    return made
