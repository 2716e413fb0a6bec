"""Demo panel calls: one drawn (its public result and published lottery), one open to
volunteers (participant@example.jp can volunteer). Idempotent: a call of the same title is kept."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.common.errors import DomainError
from app.common.text import normalize
from app.panels import selection, services
from app.panels.models import PanelCall
from app.representation.models import Participation

DRAWN_TITLE = "未来創生プラン市民パネル（第1回）"
OPEN_TITLE = "公共交通を考える市民パネル"
DRAWN_POOL = 150
PUBLIC_NUMBER = "20261207"  # the demo's stand-in for a public lottery result
SEED = 2026
DESCRIPTION = (
    "プランの見直しについて、市民の代表として **4回の会合**（各2時間）で話し合い、提言をまとめます。"
    "\n\n参加者には謝礼をお支払いします。メンバーは応募者の中から、年代と性別が札幌市の人口構成に"
    "近くなるよう**抽選**で選ばれます。")


def _exists(session: Session, space, title: str) -> bool:
    return session.scalar(select(PanelCall.id).where(PanelCall.space_id == space.id,
                                                     PanelCall.title == normalize(title))) is not None


def create_demo_panels(session: Session, space) -> int:
    made = 0
    if not _exists(session, space, DRAWN_TITLE):
        call = services.create_call(session, space, title=DRAWN_TITLE, description_md=DESCRIPTION,
                                    size=20)
        services.open_call(session, call)
        people = session.scalars(
            select(User).join(Participation, Participation.user_id == User.id)
            .where(Participation.space_id == space.id, User.email.like("demo-%@example.jp"))
            .order_by(User.id)).all()
        joined = 0
        for person in people:
            if joined == DRAWN_POOL:
                break
            try:
                services.volunteer(session, call, person, consent_contact=True)
            except DomainError:
                continue  # no age or gender in the profile: this person would be asked
            joined += 1
        services.close_call(session, call)
        if selection.claim_run(session, call.id, "leximin",
                               "2026年12月7日の宝くじ1等の組と番号（デモの例）"):
            session.refresh(call)
            if selection.compute_draw(session, call, seed=SEED) is not None:
                selection.pick(session, call, PUBLIC_NUMBER)
        made += 1
    if not _exists(session, space, OPEN_TITLE):
        call = services.create_call(
            session, space, title=OPEN_TITLE, size=15,
            description_md="地下鉄・バス・路面電車の今後について、6回の会合で話し合います。"
                           "応募者の中から年代と性別の割合に沿って抽選します。")
        services.open_call(session, call)
        made += 1
    session.flush()
    return made
