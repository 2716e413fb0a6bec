"""Forms of the spaces module. Checks that need the database (is the slug free, which area was
meant) are inline validators, so every field gets its own message in one round."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, IntegerField, RadioField, StringField,
                     TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                Regexp, ValidationError)

from app.areas.services import find_area, search_areas
from app.common.forms import Form
from app.common.text import normalize
from app.extensions import db
from app.spaces import services
from app.spaces.history import AGE_FIELDS

REQUIRED = _l("This field is required.")
WHOLE_NUMBER = _l("Enter a whole number.")
DATE = _l("Enter a date as YYYY-MM-DD.")
AGES_FIXED = _l("People have already taken part in this space, so only an administrator can "
                "change its age settings.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _nfkc(value):
    return normalize(value) if isinstance(value, str) else value


def _slug_filter(value):
    return normalize(value).lower() if isinstance(value, str) else value


def _age_field(label, default):
    return IntegerField(label, default=default, validators=[
        InputRequired(message=REQUIRED),
        NumberRange(min=0, max=services.AGE_MAX,
                    message=_l("Enter an age between 0 and %(max)s.", max=services.AGE_MAX)),
    ])


class AreaFieldMixin:
    """An `area` text field resolved to an Area by code, region code or exact name."""

    area = StringField(_l("Area or region"), filters=[_nfkc],
                       validators=[DataRequired(message=REQUIRED), Length(max=100)])
    area_obj = None

    def validate_area(self, field):
        self.area_obj = find_area(db.session, field.data)
        if self.area_obj is not None:
            return
        candidates = search_areas(db.session, field.data, limit=6)
        if candidates:
            listed = ", ".join(f"{a.name_ja} ({a.code})" for a in candidates)
            raise ValidationError(_l("No single area matches. Enter one of these codes: %(list)s",
                                     list=listed))
        raise ValidationError(_l("No area or region has this code or name."))


class SlugFieldMixin:
    slug = StringField(_l("Web address (slug)"), filters=[_slug_filter], validators=[
        DataRequired(message=REQUIRED),
        Length(min=services.SLUG_MIN, max=services.SLUG_MAX,
               message=_l("Use %(min)s to %(max)s characters.", min=services.SLUG_MIN,
                          max=services.SLUG_MAX)),
        Regexp(services.SLUG_RE, message=_l(
            "Use lowercase letters (a-z), digits and hyphens, starting and ending with a letter "
            "or digit.")),
    ])
    #: the space being edited, whose own slug is not "taken"
    editing_id: int | None = None

    def validate_slug(self, field):
        if field.data in services.RESERVED_SLUGS:
            raise ValidationError(_l("This address is reserved. Please choose another."))
        if services.slug_taken(db.session, field.data, self.editing_id):
            raise ValidationError(
                _l("This address is already used by another space. Please choose another."))


def _title_field():
    return StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED),
        Length(max=services.TITLE_MAX,
               message=_l("Use at most %(max)s characters.", max=services.TITLE_MAX)),
    ])


class SpaceForm(AreaFieldMixin, SlugFieldMixin, Form):
    title = _title_field()
    description_md = TextAreaField(_l("Description (Markdown)"), validators=[
        Optional(), Length(max=services.DESCRIPTION_MAX,
                           message=_l("Use at most %(max)s characters.",
                                      max=services.DESCRIPTION_MAX))])
    min_age = _age_field(_l("Minimum age to take part"), 18)
    youth_min = _age_field(_l("Youth band from age"), 18)
    youth_max = _age_field(_l("Youth band to age"), 39)
    forum_enabled = BooleanField(_l("Forum"), default=True)
    proposals_enabled = BooleanField(_l("Proposals"), default=True)
    surveys_enabled = BooleanField(_l("Surveys"), default=True)
    visibility = RadioField(_l("Visibility"), default="public", choices=[
        SelectChoice("public", _l("Public: listed on the spaces page")),
        SelectChoice("unlisted", _l("Unlisted: reachable only through its address")),
    ], validators=[InputRequired(message=REQUIRED)])
    reference_choice = RadioField(_l("Reference population"), default="auto", choices=[
        SelectChoice("auto", _l("Automatic: the census where it has single years of age, else the resident register")),
        SelectChoice("census", _l("Population census (国勢調査)")),
        SelectChoice("register", _l("Resident register (住民基本台帳)")),
    ], validators=[InputRequired(message=REQUIRED)])
    transparency_public = BooleanField(_l("Publish an aggregate transparency page"))
    participation = RadioField(_l("Who may take part"), default="everyone", choices=[
        SelectChoice("everyone", _l("Everyone")),
        SelectChoice("area_people", _l("Residents of the area and its furusato registrants only")),
    ], validators=[InputRequired(message=REQUIRED)])

    #: the stored age settings when they are fixed for this user (make_ages_read_only)
    fixed_ages: dict[str, int] | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.fixed_ages is not None:
            changed = [getattr(self, name) for name in AGE_FIELDS
                       if not getattr(self, name).errors
                       and getattr(self, name).data != self.fixed_ages[name]]
            for field in changed:  # said here so the order checks below cannot hide it
                field.errors.append(AGES_FIXED)
            if changed:
                return False
        ages = (self.min_age.data, self.youth_min.data, self.youth_max.data)
        if any(f.errors for f in (self.min_age, self.youth_min, self.youth_max)) \
                or any(a is None for a in ages):
            return valid
        if self.youth_min.data < self.min_age.data:
            self.youth_min.errors.append(
                _l("The youth band cannot start below the minimum age."))
            valid = False
        if self.youth_min.data > self.youth_max.data:
            self.youth_max.errors.append(
                _l("The youth band must start at or below its upper age."))
            valid = False
        return valid

    def make_ages_read_only(self, space, note_id: str) -> None:
        """Show the age settings of `space` without offering to change them, described by the
        sentence with id `note_id` that says why; a posted change is refused next to its field
        (and by the service all the same)."""
        self.fixed_ages = {name: getattr(space, name) for name in AGE_FIELDS}
        for name in AGE_FIELDS:
            getattr(self, name).render_kw = {"readonly": True, "aria-describedby": note_id}

    def settings(self) -> dict:
        """The values create_space/update_space take besides title, slug and area."""
        return {name: getattr(self, name).data for name in services.SETTING_FIELDS} | {
            "description_md": self.description_md.data or ""}


class CopySpaceForm(AreaFieldMixin, SlugFieldMixin, Form):
    title = _title_field()
    start_on = DateField(_l("First phase starts on"), validators=[Optional()],
                         format="%Y-%m-%d")


class PhaseForm(Form):
    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(message=REQUIRED),
        Length(max=services.PHASE_NAME_MAX,
               message=_l("Use at most %(max)s characters.", max=services.PHASE_NAME_MAX))])
    starts_on = DateField(_l("Starts on"), format="%Y-%m-%d",
                          validators=[InputRequired(message=DATE)])
    ends_on = DateField(_l("Ends on"), format="%Y-%m-%d",
                        validators=[InputRequired(message=DATE)])
    accepts_input = BooleanField(_l("Accepts contributions during this phase"))
    position = IntegerField(_l("Position in the timeline"), default=0, validators=[
        InputRequired(message=WHOLE_NUMBER),
        NumberRange(min=0, max=services.POSITION_MAX,
                    message=_l("Enter a number between 0 and %(max)s.",
                               max=services.POSITION_MAX))])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and self.starts_on.data > field.data:
            raise ValidationError(_l("The phase cannot end before it starts."))

    def values(self) -> dict:
        return {"name": self.name.data, "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "accepts_input": self.accepts_input.data,
                "position": self.position.data}


class TeamMemberForm(Form):
    email = StringField(_l("E-mail address of the account"), filters=[_nfkc], validators=[
        DataRequired(message=REQUIRED), Length(max=254)])
    role = RadioField(_l("Role"), default="facilitator", choices=[
        SelectChoice("facilitator", _l("Facilitator: runs the space, its phases and its team")),
        SelectChoice("moderator", _l("Moderator: reviews flagged contributions")),
    ], validators=[InputRequired(message=REQUIRED)])


class ConfirmForm(Form):
    """The confirm_post macro's checkbox, checked again on the server."""

    confirm = BooleanField(validators=[DataRequired(message=_l("Tick the box to confirm."))])
