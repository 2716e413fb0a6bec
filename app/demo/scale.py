"""`flask --app wsgi demo scale`: fill the database with a national-scale data set, fast.

The small structure (areas, population, spaces, phases, categories, the survey's questions,
the facilitator) goes through the ORM and the services; the big tables are written in bulk
(COPY on PostgreSQL, executemany of a Core insert elsewhere) with ids allocated here, one space at
a time so memory stays flat. What is written satisfies every constraint and every counter
equals its COUNT(*) (reply_count, support_count); Markdown is stored rendered by render_markdown,
each distinct text rendered once. Only flushes and writes inside the caller's transaction."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.accounts.models import RoleAssignment, User
from app.areas.models import Area
from app.common.markdown import render_markdown
from app.common.time import to_jst, utcnow
from app.demo import scale_plan as plan
from app.demo.services import _load_areas, _load_population
from app.extensions import db
from app.forum.search import search_text
from app.proposals import services as proposals
from app.representation.ledger import age_at
from app.representation.population import PopulationCount, PopulationSource
from app.spaces.models import Phase, Space
from app.surveys import builder
from app.surveys import services as surveys

PASSWORD = "hiroba-scale-2026"
FACILITATOR = "scale-facilitator@example.jp"
SUPPORTER = "scale-supporter@example.jp"   # takes part nowhere: the benchmark's support POSTs
SLUG = "scale-{:02d}"
DAYS = 120


@dataclass(frozen=True)
class Sizes:
    users: int
    spaces: int
    ledger: int
    posts: int
    proposals: int
    supports: int
    survey_answers: int

    @classmethod
    def for_users(cls, users: int, **given) -> Sizes:
        """The issue's proportions (100,000 users: 1,000,000 ledger rows over 50 spaces,
        200,000 posts, 50,000 proposals, 2,000,000 supports, 500,000 survey answers) unless
        given."""
        defaults = {"spaces": 50, "ledger": users * 10, "posts": users * 2,
                    "proposals": users // 2, "supports": users * 20,
                    "survey_answers": users * 5}
        values = {k: (given.get(k) if given.get(k) is not None else v) for k, v in defaults.items()}
        values["spaces"] = max(1, min(values["spaces"], users))
        values["ledger"] = min(values["ledger"], users * values["spaces"])
        return cls(users=users, **values)


class BulkWriter:
    """Rows into a table: COPY on PostgreSQL, chunked executemany elsewhere; counts and times."""

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.seconds = 0.0

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        started = time.perf_counter()
        written = 0
        if self.postgres:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            statement = insert(db.metadata.tables[table])
            chunk: list[dict] = []
            for row in rows:
                chunk.append(dict(zip(columns, row)))
                if len(chunk) == 5000:
                    self.connection.execute(statement, chunk)
                    written, chunk = written + len(chunk), []
            if chunk:
                self.connection.execute(statement, chunk)
                written += len(chunk)
        self.counts[table] = self.counts.get(table, 0) + written
        self.seconds += time.perf_counter() - started


class Ids:
    """The next free primary key of each table (ids are given here so rows can refer to rows
    written in the same batch); sequences are moved past them at the end."""

    def __init__(self, session: Session):
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, table: str, n: int = 1) -> int:
        if table not in self.next:
            self.next[table] = (self.session.execute(
                text(f"SELECT MAX(id) FROM {table}")).scalar() or 0) + 1  # nosec B608
        first = self.next[table]
        self.next[table] += n
        return first

    def fix_sequences(self) -> None:
        if self.session.connection().dialect.name != "postgresql":
            return  # SQLite's rowid continues after the largest id by itself
        for table in self.next:
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


class Renderer:
    """render_markdown, once per distinct text (the generator reuses a few hundred texts)."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def __call__(self, source: str) -> str:
        if source not in self.cache:
            self.cache[source] = render_markdown(source)
        return self.cache[source]


USER_COLUMNS = ("id", "email", "password_hash", "display_name", "locale", "home_area_id", "active", "created_at", "forum_email_digest", "session_version",
                "email_confirmed_at")
DEMOGRAPHIC_COLUMNS = ("user_id", "birth_year", "gender", "sector", "consented_at", "updated_at")
THREAD_COLUMNS = ("id", "space_id", "author_id", "title", "search_text", "pinned", "locked",
                  "closed", "reply_count", "created_at", "last_activity_at", "module")
POST_COLUMNS = ("id", "thread_id", "author_id", "is_opening", "parent_id", "reply_to_id", "body",
                "body_html", "search_text", "created_at", "deleted_at", "agree_count",
                "disagree_count", "helpful_count")
PROPOSAL_COLUMNS = ("id", "space_id", "author_id", "title", "body", "body_html", "category_id",
                    "status", "support_count", "comment_thread_id", "created_at", "updated_at",
                    "published_at", "answered_at")
CHANGE_COLUMNS = ("id", "proposal_id", "from_status", "to_status", "actor_id", "answer",
                  "answer_html", "created_at")
SUPPORT_COLUMNS = ("id", "proposal_id", "user_id", "created_at")
LEDGER_COLUMNS = ("id", "space_id", "user_id", "first_at", "forum", "proposals",
                  "proposal_supporters", "surveys", "panel", "forum_at", "proposals_at",
                  "proposal_supporters_at", "surveys_at", "age", "gender", "residency", "sector",
                  "home_area_id")
RESPONSE_COLUMNS = ("id", "survey_id", "user_id", "participation_id", "started_at",
                    "updated_at", "submitted_at")
ANSWER_COLUMNS = ("id", "response_id", "survey_id", "question_id", "option_id", "is_other",
                  "value_number")


class Generator:
    def __init__(self, session: Session, sizes: Sizes, *, seed: int, today: date,
                 progress: Callable[[str], None]):
        self.session, self.sizes, self.progress = session, sizes, progress
        self.rng = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.window = plan.Window(self.now - timedelta(days=DAYS), self.now - timedelta(hours=1))
        self.today = today
        self.writer = BulkWriter(session)
        self.ids = Ids(session)
        self.render = Renderer()
        self.people: dict[int, plan.Person] = {}

    # --- the small structure, through the ORM ---------------------------------------------

    def structure(self) -> tuple[User, list[Space]]:
        _load_areas(self.session, lambda message: self.progress(f"note: {message}"))
        _load_population(self.session, lambda message: self.progress(f"note: {message}"))
        census = (select(PopulationCount.area_id).join(PopulationSource)
                  .where(PopulationSource.kind == "census").distinct())
        with_population = list(self.session.scalars(select(Area).where(
            Area.id.in_(census), Area.kind != "nation").order_by(Area.code))) or list(
            self.session.scalars(select(Area).where(Area.kind != "nation").order_by(Area.code)))
        hashed = generate_password_hash(PASSWORD)
        facilitator = User(email=FACILITATOR, password_hash=hashed, display_name="進行役（規模試験）")
        supporter = User(email=SUPPORTER, password_hash=hashed, display_name="支持する人（規模試験）")
        self.session.add_all([facilitator, supporter])
        spaces = []
        start = to_jst(self.window.start).date()
        for number in range(1, self.sizes.spaces + 1):
            area = with_population[(number - 1) % len(with_population)]
            space = Space(slug=SLUG.format(number), title=f"{area.name_ja}の未来を話し合う場",
                          description_md=f"**{area.name_ja}**の総合戦略の見直しについて、"
                                         "ご意見をお寄せください。\n\n- 掲示板\n- 提案\n- アンケート",
                          area=area, transparency_public=True, created_by=facilitator)
            space.phases = [Phase(name="意見募集", starts_on=start,
                                  ends_on=self.today + timedelta(days=DAYS), accepts_input=True)]
            self.session.add(space)
            spaces.append(space)
        self.session.flush()
        facilitator.roles = [RoleAssignment(role="facilitator", space_id=s.id) for s in spaces]
        self.session.flush()
        return facilitator, spaces

    def survey(self, space: Space, facilitator: User) -> tuple[int, dict[str, list[int]],
                                                                dict[str, int]]:
        """A closed survey (results public after closing) with four answerable questions."""
        from app.demo import content_data as data

        survey = builder.create_survey(
            self.session, space, facilitator, title=data.SURVEY_TITLE,
            description_md=data.SURVEY_DESCRIPTION, results_visibility="after_close",
            opens_at=self.window.start, closes_at=self.window.end)
        section = survey.sections[0]
        specs = {key: spec for _index, key, spec in data.QUESTIONS
                 if key in ("stay", "priorities", "satisfaction", "years")}
        questions = {key: builder.add_question(self.session, section, **spec)
                     for key, spec in specs.items()}
        surveys.publish(self.session, survey)
        options = {key: [o.id for o in q.options] for key, q in questions.items()}
        return survey.id, options, {key: q.id for key, q in questions.items()}

    # --- the big tables, in bulk ----------------------------------------------------------

    def users(self, area_ids: list[int]) -> None:
        year = self.now.year
        first = self.ids.take("users", self.sizes.users)
        people = plan.people(self.rng, first, self.sizes.users, area_ids, year)
        self.people = {p.id: p for p in people}
        hashed = generate_password_hash(PASSWORD)
        joined = self.window.start - timedelta(days=1)

        def users():
            for p in people:
                yield (p.id, f"scale-{p.id:07d}@example.jp", hashed,
                       plan.display_name(self.rng, p, year), "ja", p.home_area_id,
                       True, joined, False, 0, joined)

        self.writer.write("users", USER_COLUMNS, users())
        self.writer.write("demographics", DEMOGRAPHIC_COLUMNS, (
            (p.id, p.birth_year, p.gender, p.sector, joined, joined)
            for p in people if p.birth_year is not None))
        self.progress(f"users: {len(people)}")

    def space_content(self, number: int, space: Space, facilitator_id: int,
                      survey: tuple[int, dict[str, list[int]], dict[str, int]]) -> None:
        sizes, rng = self.sizes, self.rng
        spaces = sizes.spaces

        def share(total: int) -> int:
            return total // spaces + (1 if number <= total % spaces else 0)

        participants = rng.sample(list(self.people), min(len(self.people), share(sizes.ledger)))
        posts = plan.post_shares(sizes.posts, spaces)[number - 1]
        proposals_n = plan.proposal_shares(sizes.proposals, spaces)[number - 1]
        responses = int(share(sizes.survey_answers) / plan.ANSWERS_PER_RESPONSE)
        roles = plan.split_roles(rng, participants, posts=posts, proposals=proposals_n,
                                 responses=responses)
        activity = plan.SpaceActivity()
        self._forum(space, posts, roles["forum"], activity, long_thread=number == 1)
        self._proposals(space, proposals_n, share(sizes.supports), roles, facilitator_id, activity)
        for person in roles["respondents"]:  # submitted while the survey was open
            activity.saw("surveys", person, self.window.moment(rng))
        ledger_ids = self._ledger(space, activity)
        self._responses(survey, roles["respondents"], ledger_ids, activity)

    def _forum(self, space: Space, posts: int, authors: list[int], activity, *,
               long_thread: bool) -> None:
        if not posts or not authors:
            return
        rng = self.rng
        sizes = plan.thread_sizes(rng, posts, long_thread)
        cycle = plan.authors_cycle(rng, authors)
        threads, rows = [], []
        thread_id = self.ids.take("forum_threads", len(sizes))
        post_id = self.ids.take("forum_posts", posts)
        for offset, replies in enumerate(sizes):
            # The long thread keeps all its replies: exactly LONG_THREAD are shown.
            planned = plan.thread_posts(rng, self.window, replies, cycle,
                                        withdrawals=not (long_thread and offset == 0))
            title = rng.choice(plan.THREAD_TITLES)
            ids = {p.key: post_id + p.key for p in planned}
            counted = sum(1 for p in planned[1:] if not p.withdrawn)
            threads.append((thread_id + offset, space.id, planned[0].author_id, title,
                            search_text(title), False, False, False, counted, planned[0].at,
                            planned[-1].at, "forum"))
            for p in planned:
                body = "" if p.withdrawn else p.body
                rows.append((ids[p.key], thread_id + offset, p.author_id, p.key == 0,
                             ids.get(p.parent), ids.get(p.reply_to), body, self.render(body),
                             search_text(body), p.at, p.at if p.withdrawn else None, 0, 0, 0))
                activity.saw("forum", p.author_id, p.at)
            post_id += len(planned)
        self.writer.write("forum_threads", THREAD_COLUMNS, threads)
        self.writer.write("forum_posts", POST_COLUMNS, rows)

    def _proposals(self, space: Space, n: int, supports: int, roles, facilitator_id: int,
                   activity) -> None:
        if not n or not roles["proposers"]:
            return
        rng = self.rng
        categories = [c.id for c in proposals.list_categories(self.session, space)]
        first = self.ids.take("proposals", n)
        thread_first = self.ids.take("forum_threads", n)
        post_first = self.ids.take("forum_posts", n)
        authors = plan.authors_cycle(rng, roles["proposers"])
        rows, threads, openings, changes, published = [], [], [], [], []
        for offset in range(n):
            pid, author = first + offset, next(authors)
            title, body = rng.choice(plan.PROPOSAL_TEXTS)
            at = self.window.moment(rng, high=self.window.end - timedelta(days=DAYS // 4))
            status, steps = plan.proposal_fate(rng)
            changes.append((pid, "draft", "published", author, "", at))
            step_at, answered = at, None
            previous = "published"
            for step in steps:
                step_at = self.window.moment(rng, low=step_at, high=min(
                    self.window.end, step_at + timedelta(days=10)))
                answer = plan.ANSWERS.get(step, "")
                answered = step_at if answer else answered
                changes.append((pid, previous, step, facilitator_id, answer, step_at))
                previous = step
            rows.append([pid, space.id, author, title, body, self.render(body),
                         rng.choice(categories), status, 0, thread_first + offset,
                         at - timedelta(hours=1), step_at, at, answered])
            threads.append((thread_first + offset, space.id, author, title, search_text(title),
                            False, False, False, 0, at, at, "proposals"))
            openings.append((post_first + offset, thread_first + offset, author, True, None,
                             None, body, self.render(body), search_text(body), at, None, 0, 0, 0))
            published.append(at)
            activity.saw("proposals", author, at)
        supporters = roles["supporters"] or roles["proposers"]
        targets = plan.support_targets(rng, n, supports, len(supporters))
        chosen = plan.choose_supporters(rng, targets, roles["must_support"], supporters)
        support_rows = []
        support_id = self.ids.take("proposal_supports", sum(len(c) for c in chosen))
        for offset, people in enumerate(chosen):
            rows[offset][8] = len(people)
            low = published[offset]
            for person in people:
                at = self.window.moment(rng, low=low, high=min(self.window.end,
                                                               low + timedelta(days=30)))
                support_rows.append((support_id, first + offset, person, at))
                support_id += 1
                activity.saw("proposal_supporters", person, at)
        self.writer.write("forum_threads", THREAD_COLUMNS, threads)
        self.writer.write("forum_posts", POST_COLUMNS, openings)
        self.writer.write("proposals", PROPOSAL_COLUMNS, (tuple(r) for r in rows))
        change_id = self.ids.take("proposal_status_changes", len(changes))
        self.writer.write("proposal_status_changes", CHANGE_COLUMNS, (
            (change_id + i, pid, old, new, actor, answer, self.render(answer), at)
            for i, (pid, old, new, actor, answer, at) in enumerate(changes)))
        self.writer.write("proposal_supports", SUPPORT_COLUMNS, support_rows)

    def _responses(self, survey, respondents: list[int], ledger_ids: dict[int, int],
                   activity) -> None:
        survey_id, options, question_ids = survey
        if not respondents:
            return
        response_first = self.ids.take("survey_responses", len(respondents))
        responses, answers = [], []
        for offset, person in enumerate(respondents):
            submitted = activity.first_use["surveys"][person]
            rid = response_first + offset
            responses.append((rid, survey_id, person, ledger_ids[person],
                              submitted - timedelta(minutes=5), submitted, submitted))
            for key, option, number in plan.survey_answers(
                    self.rng, options, self.people[person].birth_year, self.now.year):
                answers.append((rid, survey_id, question_ids[key], option, False, number))
        answer_first = self.ids.take("survey_answers", len(answers))
        self.writer.write("survey_responses", RESPONSE_COLUMNS, responses)
        self.writer.write("survey_answers", ANSWER_COLUMNS,
                          ((answer_first + i, *row) for i, row in enumerate(answers)))

    def _ledger(self, space: Space, activity) -> dict[int, int]:
        """One row per person who did something here, their snapshot taken at first use."""
        first_use = activity.first_use
        people = sorted(set().union(*(set(v) for v in first_use.values())))
        first_id = self.ids.take("participations", len(people))
        ids = {person: first_id + i for i, person in enumerate(people)}

        def rows():
            for person in people:
                times = [first_use[m].get(person) for m in
                         ("forum", "proposals", "proposal_supporters", "surveys")]
                first = min(t for t in times if t is not None)
                p = self.people[person]
                yield (ids[person], space.id, person, first, *(t is not None for t in times),
                       False, *times, age_at(p.birth_year, to_jst(first).date()),
                       p.gender, p.residency, p.sector, p.home_area_id)

        self.writer.write("participations", LEDGER_COLUMNS, rows())
        return ids


def generate(session: Session, sizes: Sizes, *, seed: int = 2026, today: date,
             progress: Callable[[str], None], public_k: int, batch: int) -> dict[str, int]:
    """Write the data set; returns the rows written per table. Refuses to run twice."""
    if session.scalar(select(func.count()).select_from(User).where(User.email == FACILITATOR)):
        raise RuntimeError("The scale data set is already in this database.")
    started = time.perf_counter()
    generator = Generator(session, sizes, seed=seed, today=today, progress=progress)
    facilitator, spaces = generator.structure()
    generator.users(sorted({s.area_id for s in spaces}))
    for number, space in enumerate(spaces, 1):
        survey = generator.survey(space, facilitator)
        generator.space_content(number, space, facilitator.id, survey)
        rows = sum(generator.writer.counts.values())
        elapsed = time.perf_counter() - started
        progress(f"space {number}/{len(spaces)}: {rows:,} rows, {elapsed:.1f} s, "
                 f"{rows / max(elapsed, 1e-9):,.0f} rows/s")
    generator.ids.fix_sequences()
    _first_release(session, spaces[0], facilitator, public_k=public_k, batch=batch)
    if generator.writer.postgres:
        session.execute(text("ANALYZE"))
    return dict(generator.writer.counts)


def _first_release(session: Session, space: Space, facilitator: User, *, public_k: int,
                   batch: int) -> None:
    """A public release of the first space, so its transparency page and public
    representation API have figures to serve."""
    from app.representation import releases

    state = releases.readiness(session, space, public_k=public_k, batch=batch)
    if state.covered - state.previous >= public_k:
        releases.create_release(session, space, facilitator, public_k=public_k, batch=batch)
