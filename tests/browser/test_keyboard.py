"""The core flows done with the keyboard alone (Tab, Shift+Tab, Space, Enter, arrows), with the
focus visible on every control reached; and the same flows with JavaScript switched off
(progressive enhancement): registration, logging in, a forum reply, a proposal and a support,
a survey to the end, the facilitators' dashboard with a filter, furusato registration and
volunteering for a citizens' panel."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.areas.models import Area
from app.panels import services as panels
from app.panels.models import PanelVolunteer
from app.forum.models import Post
from app.proposals.models import Proposal, ProposalSupport
from app.representation.ledger import record_participation
from app.spaces.models import Space
from app.surveys.models import SurveyResponse
from tests.browser.conftest import PHONE, committed
from tests.factories import TEST_PASSWORD
from tests.route_walk import EMAILS, PARTICIPANT_EMAIL, build_world

pytestmark = pytest.mark.browser
TABS = 80  # no control of these pages is further than this many Tab presses from the top


def tab_to(page, selector: str) -> None:
    """Press Tab until the focus is on `selector`, and check the focus can be seen there."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }""")
            assert outline, f"the focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press_on(page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.fixture
def world(app, db):
    values = build_world(db.session, app.config["SECRET_KEY"]).values
    # Half the crowd also used the proposals, so the dashboard offers that filter (both the
    # module's people and the others number at least k).
    space_id = db.session.scalar(select(Space.id).where(Space.slug == values["slug"]))
    crowd = db.session.scalars(select(User).where(User.email.like("walk-crowd%"))).all()
    for person in crowd[::2]:
        record_participation(db.session, space_id, person, "proposals")
    db.session.commit()
    return values


@pytest.fixture(params=["keyboard", "no-js"])
def how(request):
    return request.param


@pytest.fixture
def person_page(open_page, how):
    def _open(**options):
        return open_page(**({"java_script_enabled": False} if how == "no-js" else {}), **options)
    return _open


def fill(page, how: str, selector: str, text: str) -> None:
    if how == "keyboard":
        type_into(page, selector, text)
    else:
        page.fill(selector, text)


def choose(page, how: str, selector: str) -> None:
    """Pick the next option of a select (arrow key), or the first of a radio group (Space)."""
    radio = selector.startswith("input")
    if how == "keyboard":
        tab_to(page, selector)
        page.keyboard.press("Space" if radio else "ArrowDown")
    elif radio:
        page.locator(selector).first.check()
    else:
        page.select_option(selector, index=1)


def submit(page, how: str, selector: str) -> None:
    if how == "keyboard":
        press_on(page, selector)
    else:
        with page.expect_navigation():
            page.click(selector)


def log_in(page, how: str, email: str) -> None:
    page.goto("/auth/login")
    fill(page, how, "main input[name=email]", email)
    fill(page, how, "main input[name=password]", TEST_PASSWORD)
    submit(page, how, "main form button[type=submit]")
    assert page.locator("header form[action='/auth/logout']").count() == 1, "not logged in"


def test_registration(person_page, how, db, make, browser_problems):
    make.area("01100", "札幌市", "Sapporo")
    db.session.commit()
    page = person_page(**PHONE)
    page.goto("/lang/en?next=/auth/register")
    fill(page, how, "input[name=email]", "keys@example.jp")
    fill(page, how, "input[name=password]", "a long sentence to remember")
    fill(page, how, "input[name=display_name]", "キー 入力")
    if page.locator("input[name=residency]").count():
        choose(page, how, "input[name=residency]")
    fill(page, how, "input[name=home_area]", "01100")
    submit(page, how, "main form.stacked button[type=submit]")
    assert page.url.endswith("/auth/register/sent")
    assert committed(db).scalar(select(func.count()).select_from(User).where(
        User.email == "keys@example.jp")) == 1
    assert browser_problems == []


def test_forum_reply_proposal_and_support(person_page, how, world, db, browser_problems):
    page = person_page(**PHONE)
    log_in(page, how, PARTICIPANT_EMAIL)
    slug = world["slug"]
    page.goto(f"/spaces/{slug}/forum/threads/{world['thread_id']}")
    fill(page, how, "textarea[name=body]", f"キーボードだけで返信 ({how})")
    submit(page, how, "form[action$='/reply'] button[type=submit]")
    assert committed(db).scalar(select(func.count()).select_from(Post).where(
        Post.body == f"キーボードだけで返信 ({how})")) == 1

    page.goto(f"/spaces/{slug}/proposals/new")
    fill(page, how, "input[name=title]", f"除雪を早く ({how})")
    fill(page, how, "textarea[name=body]", "歩道の除雪を朝のうちに。")
    choose(page, how, "select[name=category]")
    submit(page, how, "main form.stacked button[type=submit]")
    assert committed(db).scalar(select(func.count()).select_from(Proposal).where(
        Proposal.title == f"除雪を早く ({how})")) == 1, page.locator(".error").all_inner_texts()

    page.goto(f"/spaces/{slug}/proposals/{world['proposal_id']}")
    submit(page, how, "form[action$='/support'] button[type=submit]")
    assert committed(db).scalar(select(func.count()).select_from(ProposalSupport).where(
        ProposalSupport.proposal_id == world["proposal_id"])) == 1
    assert browser_problems == []


def test_survey_to_the_end(person_page, how, world, db, browser_problems):
    page = person_page(**PHONE)
    log_in(page, how, PARTICIPANT_EMAIL)
    page.goto(f"/spaces/{world['slug']}/surveys/{world['survey_id']}")
    submit(page, how, "main a.button[href$='/answer/']")
    choose(page, how, "input[type=radio]")
    fill(page, how, "textarea", "キーボードで答えました")
    submit(page, how, "button.answer-next")
    submit(page, how, ".answer-actions button[type=submit]")
    assert committed(db).scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == world["survey_id"],
        SurveyResponse.submitted_at.is_not(None))) == 2
    assert browser_problems == []


def test_dashboard_with_a_filter(person_page, how, world, browser_problems):
    page = person_page()
    log_in(page, how, EMAILS["facilitator"])
    page.goto(f"/spaces/{world['slug']}/representation/")
    choose(page, how, "select[name=module]")
    submit(page, how, "form.rep-filter button[type=submit]")
    assert "module=" in page.url and "module=all" not in page.url
    assert page.locator("main h1").count() == 1
    assert browser_problems == []


def test_furusato_registration(person_page, how, world, db, make, browser_problems):
    """Someone from Otaru registers as a furusato resident of Sapporo and sees the card."""
    otaru = db.session.scalar(select(Area).where(Area.code == "01203"))
    make.user("keys-otaru@example.jp", display_name="小樽 キー", home_area=otaru)
    db.session.commit()
    page = person_page(**PHONE)
    log_in(page, how, "keys-otaru@example.jp")
    page.goto("/furusato/01100/register")
    choose(page, how, "input[name=tie_kind]")
    submit(page, how, "main form.stacked button[type=submit]")
    assert "/furusato/card/" in page.url and page.locator(".furusato-card").count() == 1
    assert browser_problems == []


def test_volunteering_for_a_panel(person_page, how, world, db, browser_problems):
    space = db.session.scalar(select(Space).where(Space.slug == world["slug"]))
    call = panels.create_call(db.session, space, title="キーボードの市民パネル",
                              description_md="五人を選びます。", size=5, lottery_size=20)
    panels.save_quotas(db.session, call, {(q.feature, q.value): (0, 5) for q in call.quotas})
    panels.open_call(db.session, call)
    db.session.commit()
    page = person_page(**PHONE)
    log_in(page, how, PARTICIPANT_EMAIL)
    page.goto(f"/spaces/{world['slug']}/panels/{call.id}/volunteer")
    if how == "keyboard":
        tab_to(page, "input[name=consent_contact]")
        page.keyboard.press("Space")
    else:
        page.check("input[name=consent_contact]")
    submit(page, how, "main form button[type=submit]")
    assert committed(db).scalar(select(func.count()).select_from(PanelVolunteer).where(
        PanelVolunteer.call_id == call.id)) == 1
    assert browser_problems == []
