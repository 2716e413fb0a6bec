"""Who may take part in a space (issue #13): everyone, or only the area's residents and its
furusato registrants. No Flask.

The one place the rule is enforced is the participation ledger: every contribution of every
module (a forum post, reply or reaction, a proposal published, a comment, a support, a survey
response, a panel volunteer) writes the ledger through app.representation.ledger.
record_participation, which refuses with `participation_refusal` before it writes; the request
is then rolled back (app/common/unit_of_work.py), so a refused contribution leaves nothing. The
modules also ask `participation_refusal` before they offer a form, to say why up front.

Limited to "residents and furusato registrants" (AREA_PEOPLE), a person may take part when
  * their home lies in the space's area (the ledger's "resident": app/areas/residency.py), or
  * they hold a furusato registration in force now that counts for the space's area, by the
    rule the tracker counts registrants with (app/areas/residency.registration_applies): with
    the space's area, an area inside it or a member of a wide-area region's space, and for a
    ward's space with its city. A municipality's space does not take the prefecture's derived
    row, which every registrant of any of the prefecture's municipalities holds; or
  * they are on the space's team (facilitators, moderators, admins), who answer and moderate.
Reading is never limited."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.areas.residency import lies_within
from app.areas.services import area_chain, area_cover
from app.common.errors import N_

from app.spaces.models import PARTICIPATION_RULES

EVERYONE, AREA_PEOPLE = PARTICIPATION_RULES
REFUSAL = N_("Only residents of this area and people registered with it as furusato residents "
             "can take part in this space. You can still read everything.")


def is_limited(space) -> bool:
    return getattr(space, "participation", EVERYONE) == AREA_PEOPLE


def is_area_person(session: Session, user, space) -> bool:
    """Resident of the space's area, or a furusato registrant with it (module docstring)."""
    from app.furusato.standing import registered_now

    cover = area_cover(session, space.area_id)
    home = area_chain(session, user.home_area_id)
    if home and lies_within(home, cover):
        return True
    return registered_now(session, user.id, space.area_id, cover)


def may_take_part(session: Session, user, space) -> bool:
    """Whether `user` may contribute to `space` as far as the participation setting goes
    (phases, modules and blocks are decided elsewhere). Anonymous visitors: False."""
    if not (user is not None and getattr(user, "is_authenticated", False)):
        return False
    if not is_limited(space):
        return True
    if user.has_role("facilitator", space.id) or user.has_role("moderator", space.id):
        return True
    return is_area_person(session, user, space)


def participation_refusal(session: Session, user, space) -> str | None:
    """Why `user` may not take part (an English msgid), or None. Anonymous visitors get None:
    they are sent to log in first."""
    if not (user is not None and getattr(user, "is_authenticated", False)):
        return None
    return None if may_take_part(session, user, space) else REFUSAL
