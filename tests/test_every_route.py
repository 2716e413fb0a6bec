"""A test walks every route with every role (the project guide's cross-cutting safety net).

For each role (anonymous, participant, facilitator of the space, facilitator of another space,
moderator, admin), one realistic world is built through the real services (tests/route_walk.py)
and every rule of the URL map is requested with every method it allows, with an empty body for
POSTs. What must hold:
- nothing answers 5xx;
- whoever ACCESS leaves out is refused: anonymous visitors are sent to log in (or get
  401/403/404), logged-in people get 403/404, and a refused POST changes no table's row count;
- anonymous POSTs change no table's row count, even on the public forms;
- whoever ACCESS lets in gets a page (< 400) on GET, so the refusals above are not vacuous;
- the other space's facilitator never gets 200 on this space's facilitators' pages, and the
  participant never on /admin/ or /moderation/ (beyond flagging, which is for everyone);
- strings only some roles may see (a draft, a hidden reply, a flag note, a survey answer,
  a body, e-mail addresses) reach no one else, whatever the status.
Module tests check what each page does; this one checks that no route is forgotten."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.route_walk import (ACCESS, CANARIES, EMAILS, FACILITATOR_PAGES, PUBLIC_ENDPOINTS,
                              ROLES, build_world, plan_visits, row_counts,
                              unclassified_endpoints, unfillable_rules)

DENIED_LOGGED_IN = {403, 404}
DENIED_ANONYMOUS = {401, 403, 404}


def test_every_rule_has_arguments_and_an_audience(app):
    missing = unfillable_rules(app)
    assert not missing, ("No world value for these URL arguments; add them to URL_ARGUMENTS or "
                         "ENDPOINT_ARGUMENTS in tests/route_walk.py:\n" + "\n".join(missing))
    unclassified, stale = unclassified_endpoints(app)
    assert not unclassified, ("Say who may use these endpoints (ACCESS in tests/route_walk.py):\n"
                              + "\n".join(unclassified))
    assert not stale, "ACCESS names endpoints that no longer exist:\n" + "\n".join(stale)
    assert PUBLIC_ENDPOINTS.isdisjoint(FACILITATOR_PAGES)


def _is_login_redirect(response) -> bool:
    return response.status_code in (302, 303) and \
        "/auth/login" in response.headers.get("Location", "")


def _logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _request(db, client, visit, role: str, problems: list[str]):
    """The response, or None after noting the exception a view raised (tests propagate them
    instead of answering 500) so the walk goes on and reports every route at once."""
    try:
        return client.open(visit.url, method=visit.method,
                           data={} if visit.method == "POST" else None)
    except Exception as error:  # noqa: BLE001  (any exception is the finding)
        db.session.rollback()
        problems.append(f"{role} {visit.method} {visit.url} ({visit.endpoint}): "
                        f"server error {error!r}")
        return None


def _check(role: str, visit, response, before: dict | None, after: dict | None) -> list[str]:  # noqa: C901
    """What is wrong with one response, as readable lines."""
    status = response.status_code
    where = f"{role} {visit.method} {visit.url} ({visit.endpoint}) -> {status}"
    problems = []
    if status >= 500:
        return [f"{where}: server error"]
    allowed = role in ACCESS[visit.endpoint]
    if not allowed:
        if role == "anonymous":
            if not (_is_login_redirect(response) or status in DENIED_ANONYMOUS):
                problems.append(f"{where}: anonymous not refused "
                                f"(Location: {response.headers.get('Location')})")
        elif status not in DENIED_LOGGED_IN:
            problems.append(f"{where}: not refused (expected 403 or 404)")
    elif visit.method == "GET" and status >= 400:
        problems.append(f"{where}: a role allowed here got no page (is the world complete?)")
    if before is not None and after != before:
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        problems.append(f"{where}: rows changed by a refused or anonymous POST: {changed}")
    if status == 200:
        if role == "other_facilitator" and visit.endpoint in FACILITATOR_PAGES:
            problems.append(f"{where}: another space's facilitator opened this space's page")
        if role == "participant" and visit.endpoint != "moderation.flag" and \
                visit.url.startswith(("/admin/", "/moderation/")):
            problems.append(f"{where}: a participant opened an admin or moderation page")
    body = response.get_data()
    for canary, seers in CANARIES.items():
        if role not in seers and canary.encode() in body:
            problems.append(f"{where}: shows {canary!r}, which only {sorted(seers)} may see")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_route_with_role(app, db, client, role):
    assert not unfillable_rules(app), "see test_every_rule_has_arguments_and_an_audience"
    world = build_world(db.session, app.config["SECRET_KEY"])
    if role != "anonymous":
        login(client, EMAILS[role])
    problems: list[str] = []
    visits = plan_visits(app, world)
    for visit in visits:
        # Anonymous POSTs, and POSTs of a role refused there, must leave every table as it was.
        watch = visit.method == "POST" and (role == "anonymous"
                                            or role not in ACCESS[visit.endpoint])
        before = row_counts(db.session) if watch else None
        response = _request(db, client, visit, role, problems)
        if response is None:
            continue
        after = row_counts(db.session) if watch else None
        problems += _check(role, visit, response, before, after)
        if visit.method == "POST" and role != "anonymous" and not _logged_in(client):
            login(client, EMAILS[role])  # the logout route did its job; walk on as the role
    assert len(visits) > 150, "the walk lost most of its routes"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_ids_of_one_space_are_not_reachable_through_another(app, db, client):
    """The other space's facilitator may do everything in their space; an address made of their
    space's slug and this space's ids (a thread, a post, a proposal, a survey, a section, a
    question, a body, a phase, a team role, a category) must still find nothing."""
    world = build_world(db.session, app.config["SECRET_KEY"])
    login(client, EMAILS["other_facilitator"])
    problems = []
    visits = plan_visits(app, world, other_space=True)
    for visit in visits:
        before = row_counts(db.session) if visit.method == "POST" else None
        response = _request(db, client, visit, "other_facilitator", problems)
        if response is None:
            continue
        where = f"{visit.method} {visit.url} ({visit.endpoint}) -> {response.status_code}"
        if response.status_code != 404:
            problems.append(f"{where}: expected 404 for an id of another space")
        if before is not None and row_counts(db.session) != before:
            problems.append(f"{where}: rows changed")
        body = response.get_data()
        problems += [f"{where}: shows {canary!r}" for canary, seers in CANARIES.items()
                     if "other_facilitator" not in seers and canary.encode() in body]
    assert len(visits) > 40, "the walk lost most of its routes"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_addresses_that_name_nothing_answer_404(app, db, client):
    """As the admin (past every guard, so the lookups are reached): a slug no space has, and an
    id beyond any PostgreSQL integer, in every rule that takes one, answer 404 (not 500 from an
    error page that expected a space, nor from the database's integer range)."""
    world = build_world(db.session, app.config["SECRET_KEY"])
    login(client, EMAILS["admin"])
    problems = []
    visits = plan_visits(app, world, missing=("no-such-space", 2**31))
    for visit in visits:
        response = _request(db, client, visit, "admin", problems)
        if response is not None and response.status_code != 404:
            problems.append(f"{visit.method} {visit.url} ({visit.endpoint}) -> "
                            f"{response.status_code}, expected 404")
    thread = f"/spaces/{world.values['slug']}/forum/threads/{world.values['thread_id']}"
    response = client.get(f"{thread}?reply_to={2**31}&quote=1")
    if response.status_code != 200:
        problems.append(f"GET {thread}?reply_to=2**31 -> {response.status_code}, expected 200")
    assert len(visits) > 100, "the walk lost most of its routes"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_nul_characters_are_refused_on_every_route(app, db, client):
    """PostgreSQL cannot hold NUL in text: a NUL in the query string or the form of any route is
    refused with 400 before anything reads or writes the database."""
    world = build_world(db.session, app.config["SECRET_KEY"])
    login(client, EMAILS["admin"])
    problems = []
    for visit in plan_visits(app, world):
        before = row_counts(db.session) if visit.method == "POST" else None
        try:
            response = client.open(visit.url + "?q=a%00b" if visit.method == "GET" else visit.url,
                                   method=visit.method,
                                   data={"title": "a\x00b"} if visit.method == "POST" else None)
        except Exception as error:  # noqa: BLE001  (any exception is the finding)
            db.session.rollback()
            problems.append(f"{visit.method} {visit.url} ({visit.endpoint}): {error!r}")
            continue
        if response.status_code != 400:
            problems.append(f"{visit.method} {visit.url} ({visit.endpoint}) -> "
                            f"{response.status_code}, expected 400")
        if before is not None and row_counts(db.session) != before:
            problems.append(f"{visit.method} {visit.url} ({visit.endpoint}): rows changed")
    response = client.get(f"/spaces/{world.values['slug']}%00/")
    if response.status_code != 400:
        problems.append(f"a NUL in a slug -> {response.status_code}, expected 400")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
