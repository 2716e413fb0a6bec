"""Admin forms. Search and filter forms are GET forms without CSRF (they change nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import ROLES
from app.areas.services import NAME_MAX


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class _GetForm(FlaskForm):
    class Meta:
        csrf = False


class UserSearchForm(_GetForm):
    q = StringField(_l("E-mail or display name"), validators=[Optional(), _at_most(254)])


KIND_LABELS = {"nation": _l("Nation"), "prefecture": _l("Prefecture"),
               "municipality": _l("Municipality"), "ward": _l("Ward"), "region": _l("Region")}


class AreaSearchForm(_GetForm):
    q = StringField(_l("Code or name"), validators=[Optional(), _at_most(100)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", _l("All kinds"))] + [
        SelectChoice(kind, KIND_LABELS[kind])
        for kind in ("nation", "prefecture", "municipality", "ward")
    ], default="", validators=[Optional()])


class AuditFilterForm(_GetForm):
    # The choices are the actions present in the log, set by the view.
    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("All actions"))], default="",
                         validate_choice=False, validators=[Optional()])
    actor = StringField(_l("Actor (e-mail or display name)"), validators=[Optional(), _at_most(254)])


ROLE_LABELS = {"facilitator": _l("Facilitator"), "moderator": _l("Moderator"), "admin": _l("Administrator")}


class GrantRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[InputRequired(message=_l("Choose a role."))])
    space_slug = StringField(_l("Space address (slug)"), validators=[Optional(), _at_most(60)])


class ConfirmForm(FlaskForm):
    """What the confirm_post() macro sends: the CSRF token and a ticked box."""
    confirm = BooleanField(validators=[DataRequired(message=_l("Tick the box to confirm."))])


class RegionForm(FlaskForm):
    code = StringField(_l("Region code"), validators=[
        DataRequired(message=_l("Give the region a code.")), _at_most(20)])
    name_ja = StringField(_l("Name in Japanese"), validators=[
        DataRequired(message=_l("Give the region a Japanese name.")), _at_most(NAME_MAX)])
    name_en = StringField(_l("Name in English"), validators=[
        DataRequired(message=_l("Give the region an English name.")), _at_most(NAME_MAX)])
    members = TextAreaField(_l("Member areas"), validators=[
        DataRequired(message=_l("List the codes of the areas that make up the region."))])


class RegionEditForm(RegionForm):
    code = None  # a region's code never changes: spaces and links refer to it
