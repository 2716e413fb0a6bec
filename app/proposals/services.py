"""Proposals: categories and settings of a space, drafts and publication, lists, similar
proposals, and supports. No Flask here: callers pass the session and the acting user; every
function only flushes (the request boundary commits).

Refusals raise app.common.errors.DomainError: an English msgid marked with N_ (so Babel
extracts it), the form field it belongs next to, and its placeholders.

Supports and the support threshold live in app.proposals.supports, the status workflow (answers,
merges) in app.proposals.workflow."""
from __future__ import annotations

from sqlalchemy import BigInteger, case, cast, exists, func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.areas.models import Area, RegionMember
from app.common.errors import N_, DomainError
from app.common.pagination import Page, paginate, paginate_keyset
from app.common.sql import dialect_insert
from app.common.text import normalize
from app.common.time import utcnow
from app.forum.models import Post
from app.moderation.blocks import is_blocked
from app.proposals import similarity
from app.proposals.models import (BODY_MAX, CATEGORY_NAME_MAX, PUBLIC_STATUSES,
                                  TITLE_MAX, Proposal, ProposalCategory, ProposalSettings,
                                  ProposalStatusChange)
from app.representation.ledger import record_participation
from app.spaces.eligibility import participation_refusal

SORTS = ("newest", "supported", "answered", "random")
SIMILAR_LIMIT = 3
# Similar proposals are looked for among the space's most recent ones; beyond this many the
# n-gram comparison would cost more than a keystroke is worth.
SIMILAR_POOL = 1000
THRESHOLD_MAX = 1_000_000
# The five pillars of Regional Revitalization 2.0 (地方創生2.0), the default categories.
DEFAULT_CATEGORIES = (
    ("安心して働き、暮らせる地方の生活環境の創生",
     "Living environment where people can work and live with peace of mind"),
    ("稼ぐ力を高め、付加価値創出型の新しい地方経済の創生",
     "Earning power and a new value-creating local economy"),
    ("人や企業の地方分散、都市と地方の交流",
     "Dispersal of people and companies; exchange between cities and regions"),
    ("新時代のインフラ整備とAI・デジタルなどの新技術の徹底活用",
     "New-era infrastructure and thorough use of AI and digital technology"),
    ("広域リージョン連携", "Wide-area regional collaboration"),
)
# A prime modulus for the per-visitor shuffle; ids and seeds stay below it, so the products
# fit in a 64-bit integer on both databases.
_SHUFFLE_MODULUS = 2_147_483_647


# --- settings and categories ---------------------------------------------------------------

def get_settings(session: Session, space) -> ProposalSettings | None:
    return session.scalar(select(ProposalSettings).where(ProposalSettings.space_id == space.id))


def support_threshold(session: Session, space) -> int | None:
    return session.scalar(select(ProposalSettings.support_threshold)
                          .where(ProposalSettings.space_id == space.id))


def save_threshold(session: Session, space, threshold: int | None) -> None:
    """Set (or with None clear) the support threshold. Upserts against the unique space_id, so two
    facilitators saving at once cannot collide. (The facilitators' whole change, which also
    marks the proposals already at or over it, is supports.change_threshold.)"""
    if threshold is not None and not 1 <= threshold <= THRESHOLD_MAX:
        raise DomainError(N_("Enter a number between 1 and %(max)s, or leave it empty."),
                          "support_threshold", max=THRESHOLD_MAX)
    stmt = dialect_insert(session)(ProposalSettings).values(
        space_id=space.id, support_threshold=threshold, updated_at=utcnow())
    session.execute(stmt.on_conflict_do_update(
        index_elements=[ProposalSettings.space_id],
        set_={"support_threshold": threshold, "updated_at": utcnow()}))
    session.flush()


def list_categories(session: Session, space) -> list[ProposalCategory]:
    """The space's categories in order. A space without any gets the five pillars now; the
    insert ignores conflicts, so two first visitors at once seed them only once."""
    stmt = (select(ProposalCategory).where(ProposalCategory.space_id == space.id)
            .order_by(ProposalCategory.position, ProposalCategory.id))
    categories = list(session.scalars(stmt))
    if categories:
        return categories
    rows = [{"space_id": space.id, "name_ja": ja, "name_en": en, "position": position}
            for position, (ja, en) in enumerate(DEFAULT_CATEGORIES)]
    session.execute(dialect_insert(session)(ProposalCategory).values(rows).on_conflict_do_nothing(
        index_elements=[ProposalCategory.space_id, ProposalCategory.name_ja]))
    session.flush()
    return list(session.scalars(stmt))


def get_category(session: Session, space, category_id: int) -> ProposalCategory | None:
    return session.scalar(select(ProposalCategory).where(
        ProposalCategory.id == category_id, ProposalCategory.space_id == space.id))


def _category_names(session: Session, space, name_ja: str, name_en: str,
                    exclude_id: int | None = None) -> tuple[str, str]:
    name_ja, name_en = normalize(name_ja), normalize(name_en)
    if not name_ja or len(name_ja) > CATEGORY_NAME_MAX:
        raise DomainError(N_("Enter a name of at most %(max)s characters."), "name_ja",
                          max=CATEGORY_NAME_MAX)
    if len(name_en) > CATEGORY_NAME_MAX:
        raise DomainError(N_("Enter a name of at most %(max)s characters."), "name_en",
                          max=CATEGORY_NAME_MAX)
    taken = select(ProposalCategory.id).where(ProposalCategory.space_id == space.id,
                                              ProposalCategory.name_ja == name_ja)
    if exclude_id is not None:
        taken = taken.where(ProposalCategory.id != exclude_id)
    if session.scalar(taken.limit(1)) is not None:
        raise DomainError(N_("This space already has a category with this name."), "name_ja")
    return name_ja, name_en


def add_category(session: Session, space, *, name_ja: str, name_en: str = "") -> ProposalCategory:
    existing = list_categories(session, space)
    name_ja, name_en = _category_names(session, space, name_ja, name_en)
    category = ProposalCategory(space_id=space.id, name_ja=name_ja, name_en=name_en,
                                position=max((c.position for c in existing), default=-1) + 1)
    session.add(category)
    session.flush()
    return category


def update_category(session: Session, category: ProposalCategory, space, *, name_ja: str,
                    name_en: str, position: int) -> ProposalCategory:
    if not 0 <= position <= 1000:
        raise DomainError(N_("Enter a position between 0 and %(max)s."), "position", max=1000)
    category.name_ja, category.name_en = _category_names(session, space, name_ja, name_en,
                                                         exclude_id=category.id)
    category.position = position
    session.flush()
    return category


def delete_category(session: Session, category: ProposalCategory) -> None:
    """Only an unused category goes, and never the last one (a proposal always has a choice)."""
    used = session.scalar(select(func.count()).select_from(Proposal)
                          .where(Proposal.category_id == category.id))
    if used:
        raise DomainError(N_("%(count)s proposals use this category; rename it instead."),
                          count=used)
    remaining = session.scalar(select(func.count()).select_from(ProposalCategory)
                               .where(ProposalCategory.space_id == category.space_id))
    if remaining <= 1:
        raise DomainError(N_("A space needs at least one category."))
    session.delete(category)
    session.flush()


def sub_areas(session: Session, space) -> list[Area]:
    """The areas a proposal may be narrowed to: the member areas of a wide-area region, or the
    areas directly under the space's area (the wards of a city)."""
    area = space.area
    if area.is_region:
        stmt = select(Area).join(RegionMember, RegionMember.area_id == Area.id).where(
            RegionMember.region_id == area.id)
    else:
        stmt = select(Area).where(Area.parent_id == area.id)
    return list(session.scalars(stmt.order_by(Area.code)))


# --- drafts and publication ----------------------------------------------------------------

def check_writable(session: Session, space, user) -> None:
    """Writing (drafts, publication, supports) needs the module on, a phase that accepts input,
    and a person not blocked from the space by a moderator."""
    if not space.proposals_enabled:
        raise DomainError(N_("This space does not take proposals."))
    if not space.accepts_input():
        raise DomainError(N_("The current phase of this space does not accept proposals or "
                             "supports."))
    if user is not None and is_blocked(session, user, space):
        raise DomainError(N_("You have been blocked from writing in this space."))
    refusal = participation_refusal(session, user, space)
    if refusal:
        raise DomainError(refusal)


def _clean(session: Session, space, title: str, body: str, category_id, area_id) -> dict:
    title = normalize(title)
    body = (body or "").strip()
    if not title:
        raise DomainError(N_("Enter a title."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), "title", max=TITLE_MAX)
    if not body:
        raise DomainError(N_("Describe your proposal."), "body")
    if len(body) > BODY_MAX:
        raise DomainError(N_("Use at most %(max)s characters."), "body", max=BODY_MAX)
    if category_id is None or get_category(session, space, category_id) is None:
        raise DomainError(N_("Choose a category."), "category")
    if area_id is not None and area_id not in {a.id for a in sub_areas(session, space)}:
        raise DomainError(N_("Choose an area of this space, or the whole area."), "area")
    return {"title": title, "body": body, "category_id": category_id, "area_id": area_id}


def create_draft(session: Session, space, author, *, title: str, body: str,
                 category_id: int | None, area_id: int | None = None) -> Proposal:
    """A new draft, seen only by its author until published. Only these fields are taken:
    status, author and counts are never set from outside."""
    check_writable(session, space, author)
    values = _clean(session, space, title, body, category_id, area_id)
    proposal = Proposal(space_id=space.id, author_id=author.id, status="draft", **values)
    session.add(proposal)
    session.flush()
    return proposal


def update_draft(session: Session, proposal: Proposal, *, title: str, body: str,
                 category_id: int | None, area_id: int | None = None) -> Proposal:
    if not proposal.is_draft:
        raise DomainError(N_("A published proposal can no longer be edited."))
    check_writable(session, proposal.space, proposal.author)
    for name, value in _clean(session, proposal.space, title, body, category_id,
                              area_id).items():
        setattr(proposal, name, value)
    proposal.updated_at = utcnow()
    session.flush()
    return proposal


def delete_draft(session: Session, proposal: Proposal) -> None:
    if not proposal.is_draft:
        raise DomainError(N_("A published proposal cannot be deleted."))
    session.delete(proposal)
    session.flush()


def publish(session: Session, proposal: Proposal, author) -> Proposal:
    """Make a draft public; the author enters the participation ledger in the same transaction.
    The conditional UPDATE makes a double click publish once. (The author's whole step, which
    also opens the discussion, is workflow.publish.)"""
    check_writable(session, proposal.space, author)
    now = utcnow()
    result = session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status == "draft")
        .values(status="published", published_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(N_("This proposal is already published."))
    session.add(ProposalStatusChange(proposal_id=proposal.id, from_status="draft",
                                     to_status="published", actor_id=author.id, created_at=now))
    record_participation(session, proposal.space_id, author, "proposals", at=now)
    session.flush()
    session.refresh(proposal)
    return proposal


# --- reading -------------------------------------------------------------------------------

def _with_details(stmt):
    return stmt.options(joinedload(Proposal.author), joinedload(Proposal.category),
                        joinedload(Proposal.area), joinedload(Proposal.merged_into))


def get_proposal(session: Session, space, proposal_id: int, *,
                 details: bool = True) -> Proposal | None:
    """The proposal of `space` with this id, drafts included (the caller decides who sees it).
    `details=False` for an action that only redirects (a support): the row without its author,
    category, area and merge target, which its page shows."""
    stmt = select(Proposal).where(Proposal.id == proposal_id, Proposal.space_id == space.id)
    return session.scalar(_with_details(stmt) if details else stmt)


def get_public_proposal(session: Session, proposal_id: int) -> Proposal | None:
    """A published proposal by id alone, with its space (for the JSON API)."""
    return session.scalar(_with_details(select(Proposal)).options(joinedload(Proposal.space))
                          .where(Proposal.id == proposal_id, Proposal.status != "draft"))


def shuffle_key(seed: int):
    """An SQL expression ordering ids in a pseudo-random order fixed by `seed`. The seed is mixed
    (SplitMix64) into a multiplier and an offset; id * multiplier + offset modulo a prime then
    permutes the ids, so no proposal is always last, yet one visitor's pages stay consistent."""
    mixed = _splitmix64(seed)
    multiplier = mixed % (_SHUFFLE_MODULUS - 1) + 1
    offset = _splitmix64(mixed) % _SHUFFLE_MODULUS
    return (cast(Proposal.id, BigInteger) * multiplier + offset) % _SHUFFLE_MODULUS


def _splitmix64(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


def list_proposals(session: Session, space, *, status: str | None = None,
                   category_id: int | None = None, sort: str = "newest", seed: int = 1,
                   page: int = 1, per_page: int = 20, after: int | None = None,
                   before: int | None = None) -> Page:
    """Published proposals of the space. Without a status filter merged proposals are left out
    (their supports count on the proposal they were merged into). Newest and most supported
    page by keyset (`after` / `before` a proposal id), the others by OFFSET."""
    stmt = _with_details(select(Proposal)).where(Proposal.space_id == space.id)
    if status in PUBLIC_STATUSES:
        stmt = stmt.where(Proposal.status == status)
    else:
        stmt = stmt.where(Proposal.status.in_([s for s in PUBLIC_STATUSES if s != "merged"]))
    if category_id is not None:
        stmt = stmt.where(Proposal.category_id == category_id)
    newest = (Proposal.published_at.desc(), Proposal.id.desc())
    if sort not in ("answered", "random"):
        keys = (("support_count",) if sort == "supported" else ()) + ("published_at", "id")
        return paginate_keyset(session, stmt, Proposal, keys, page, per_page, descending=True,
                               after=after, before=before)
    if sort == "answered":
        stmt = stmt.order_by(Proposal.answered_at.is_(None), Proposal.answered_at.desc(), *newest)
    else:
        stmt = stmt.order_by(shuffle_key(seed), Proposal.id)
    return paginate(session, stmt, page, per_page)


def list_drafts(session: Session, space, author) -> list[Proposal]:
    return list(session.scalars(
        select(Proposal).where(Proposal.space_id == space.id, Proposal.author_id == author.id,
                               Proposal.status == "draft")
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())))


def merged_from(session: Session, proposal: Proposal) -> list[Proposal]:
    """The proposals that were merged into this one."""
    return list(session.scalars(select(Proposal).where(Proposal.merged_into_id == proposal.id)
                                .order_by(Proposal.id)))


def find_similar(session: Session, space, query: str, *, exclude_id: int | None = None,
                 limit: int = SIMILAR_LIMIT) -> list[tuple[Proposal, float]]:
    """Up to `limit` published proposals of the space most similar to `query` (character
    n-grams, see app.proposals.similarity), best first, with their scores."""
    if not similarity.normalise(query):
        return []
    # A text a moderator hid takes no part: its score would let anyone probe what it says.
    text_hidden = exists().where(Post.thread_id == Proposal.comment_thread_id, Post.is_opening,
                                 Post.hidden_at.is_not(None))
    body = case((text_hidden, ""), else_=func.substr(Proposal.body, 1, 2000))
    stmt = (select(Proposal.id, Proposal.title, body)
            .where(Proposal.space_id == space.id, Proposal.status.in_(PUBLIC_STATUSES),
                   Proposal.status != "merged")
            .order_by(Proposal.published_at.desc()).limit(SIMILAR_POOL))
    if exclude_id is not None:
        stmt = stmt.where(Proposal.id != exclude_id)
    matches = similarity.rank(query, session.execute(stmt).all(), limit=limit)
    if not matches:
        return []
    found = {p.id: p for p in session.scalars(_with_details(select(Proposal)).where(
        Proposal.id.in_([m.key for m in matches])))}
    return [(found[m.key], m.score) for m in matches if m.key in found]


def status_history(session: Session, proposal: Proposal) -> list[ProposalStatusChange]:
    return list(session.scalars(
        select(ProposalStatusChange).where(ProposalStatusChange.proposal_id == proposal.id)
        .options(selectinload(ProposalStatusChange.merged_into))
        .order_by(ProposalStatusChange.created_at, ProposalStatusChange.id)))


def latest_answer(history: list[ProposalStatusChange]) -> ProposalStatusChange | None:
    """The most recent step that carried an official answer."""
    return next((change for change in reversed(history) if change.answer), None)
