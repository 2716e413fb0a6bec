"""The facilitators' CSV export of a space's proposals. No Flask: the view passes translated
labels and a URL builder. UTF-8 with a byte-order mark, so Excel in Japan opens it correctly."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.common.time import to_jst
from app.forum.models import Thread
from app.proposals.models import Proposal, ProposalStatusChange

BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def _when(moment) -> str:
    return to_jst(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


PROGRESS_EVERY = 1000  # lines between two progress reports of a background export


def _published(space):
    return (Proposal.space_id == space.id, Proposal.status != "draft")


def count(session: Session, space) -> int:
    """How many lines rows() gives."""
    return session.scalar(select(func.count()).select_from(Proposal)
                          .where(*_published(space))) or 0


def rows(session: Session, space, *, locale: str, status_label: Callable[[str], str],
         deleted_name: str, url_of: Callable[[Proposal], str],
         progress: Callable[[int, int], None] | None = None) -> list[list]:
    """Every published proposal of the space (merged ones included), oldest first, with counts
    and statuses; three queries however many proposals there are. `progress(done, total)` is
    told every PROGRESS_EVERY lines."""
    proposals = list(session.scalars(
        select(Proposal).where(*_published(space))
        .options(joinedload(Proposal.author), joinedload(Proposal.category),
                 joinedload(Proposal.area))
        .order_by(Proposal.id)))
    in_space = select(Proposal.id).where(Proposal.space_id == space.id)
    latest = (select(func.max(ProposalStatusChange.id))
              .where(ProposalStatusChange.proposal_id.in_(in_space),
                     ProposalStatusChange.answer != "")
              .group_by(ProposalStatusChange.proposal_id))
    answers = {row.proposal_id: row.answer for row in session.execute(
        select(ProposalStatusChange.proposal_id, ProposalStatusChange.answer)
        .where(ProposalStatusChange.id.in_(latest)))}
    comment_counts = {row.id: row.reply_count for row in session.execute(
        select(Proposal.id, Thread.reply_count)
        .join(Thread, Thread.id == Proposal.comment_thread_id)
        .where(Proposal.space_id == space.id))}
    result = []
    for index, p in enumerate(proposals):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, len(proposals))
        author = p.author.public_name if p.author is not None else deleted_name
        result.append([
            p.id, p.title, status_label(p.status), p.category.name(locale) if p.category else "",
            p.area.name(locale) if p.area else "", author, p.support_count,
            comment_counts.get(p.id, 0), _when(p.threshold_reached_at), _when(p.published_at),
            _when(p.answered_at), answers.get(p.id, ""), p.merged_into_id or "", url_of(p),
        ])
    return result
