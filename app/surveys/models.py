"""Surveys: sections, questions and options (the structure), responses and answers.

A response with ``submitted_at`` NULL is the respondent's draft; (survey, user) is unique, so a
person has one draft that becomes their one response. Answers are one row per chosen option (or
per ranked option), so results are plain GROUP BY counts.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.common.markdown import SanitisedHtml, render_markdown
from app.common.stored_html import rendered_column
from app.common.time import utcnow
from app.extensions import db

QUESTION_KINDS = ("single", "multiple", "likert", "short_text", "long_text", "number", "ranking")
CHOICE_KINDS = ("single", "multiple")  # may offer "other" and drive conditional display
OPTION_KINDS = ("single", "multiple", "ranking")  # have option rows
TEXT_KINDS = ("short_text", "long_text")
LIKERT_POINTS = (5, 7)
# Who may read results: facilitators always (live, while the survey is open too); everyone
# else only once it has closed (default), or never ("private"). There is no "live for everyone"
# setting: polling live public results before and after one submission gives away that
# respondent's demographics and answers (issue #9), so public results are frozen at closing.
RESULTS_VISIBILITIES = ("after_close", "private")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at",
                        name="dates_order"),
        CheckConstraint("weight_cap IS NULL OR weight_cap > 1", name="weight_cap_range"),
        CheckConstraint("results_visibility IN ('after_close', 'private')",
                        name="results_visibility_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[SanitisedHtml] = rendered_column()  # render_markdown(description_md)
    # Unpublished surveys are seen by facilitators only. Published ones are open between
    # opens_at and closes_at (naive UTC; NULL = no bound); opening or closing "by hand" sets them.
    published: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    results_visibility: Mapped[str] = mapped_column(String(20), default="after_close")
    # Optional trimming of population weights at this multiple of the mean weight.
    weight_cap: Mapped[float | None]
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    space = relationship("Space")
    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="(SurveySection.position, SurveySection.id)")

    @validates("description_md")
    def _render_description_md(self, _key: str, value: str) -> str:
        self.description_html = render_markdown(value)  # stored beside the source, shown by templates
        return value

    def status(self, now: datetime | None = None) -> str:
        """'draft' (unpublished), 'scheduled', 'open' or 'closed'."""
        now = now or utcnow()
        if not self.published:
            return "draft"
        if self.closes_at is not None and self.closes_at <= now:
            return "closed"
        if self.opens_at is not None and self.opens_at > now:
            return "scheduled"
        return "open"

    def results_open_to_all(self, now: datetime | None = None) -> bool:
        """Whether people other than the space's facilitators may read the results now: only
        after closing, never while answers still come in."""
        if not self.published or self.results_visibility == "private":
            return False
        return self.status(now) == "closed"

    def questions(self) -> list[SurveyQuestion]:
        """Every question in answering order (section, then position)."""
        return [q for section in self.sections for q in section.questions]


class SurveySection(db.Model):
    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[SanitisedHtml] = rendered_column()  # render_markdown(description_md)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="section", cascade="all, delete-orphan",
        order_by="(SurveyQuestion.position, SurveyQuestion.id)")

    @validates("description_md")
    def _render_description_md(self, _key: str, value: str) -> str:
        self.description_html = render_markdown(value)  # stored beside the source, shown by templates
        return value


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint("min_choices IS NULL OR min_choices >= 0", name="min_choices_range"),
        CheckConstraint("min_choices IS NULL OR max_choices IS NULL OR min_choices <= max_choices",
                        name="choices_order"),
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
                        name="value_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept beside section_id so a survey's answers can be grouped without joining sections.
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(String(1000), default="")
    required: Mapped[bool] = mapped_column(default=False)
    allow_other: Mapped[bool] = mapped_column(default=False)
    min_choices: Mapped[int | None]
    max_choices: Mapped[int | None]
    scale_points: Mapped[int | None]
    label_low: Mapped[str] = mapped_column(String(100), default="")
    label_high: Mapped[str] = mapped_column(String(100), default="")
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    integer_only: Mapped[bool] = mapped_column(default=True)
    # Conditional display: shown only when this option of an earlier choice question is chosen.
    show_if_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_options.id", ondelete="SET NULL", use_alter=True), index=True)

    section: Mapped[SurveySection] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan",
        order_by="(SurveyOption.position, SurveyOption.id)",
        foreign_keys="SurveyOption.question_id")
    show_if_option: Mapped[SurveyOption | None] = relationship(
        foreign_keys=[show_if_option_id], post_update=True)


class SurveyOption(db.Model):
    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[SurveyQuestion] = relationship(back_populates="options",
                                                    foreign_keys=[question_id])


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        Index("ix_survey_responses_survey_submitted", "survey_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # SET NULL when the account is deleted; the response stays, linked to the ledger snapshot.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participations.id", ondelete="SET NULL"), index=True)
    # Where a returning respondent continues their draft.
    resume_section_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_sections.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True)


class SurveyAnswer(db.Model):
    """One value: a chosen option, the "other" text, a ranked option, a number or a text."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_question_option", "question_id", "option_id"),
        Index("ix_survey_answers_response_question", "response_id", "question_id"),
        # Results aggregate one survey's answers per question (and option): this index reads
        # exactly them, instead of joining every answer of every survey to its response.
        Index("ix_survey_answers_survey_question_option", "survey_id", "question_id",
              "option_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the response (written with every answer, never changes) so results
    # can select a survey's answers by index.
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_options.id", ondelete="CASCADE"))
    is_other: Mapped[bool] = mapped_column(default=False)
    value_number: Mapped[float | None]  # Likert point or number answer
    rank: Mapped[int | None]  # ranking: 1 = first
    text: Mapped[str | None] = mapped_column(Text)  # NFKC-normalised free text or "other" text

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
