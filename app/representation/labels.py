"""Names of representation categories, dimensions, modules and flags, in the reader's language.

The services keep machine keys ('18-29', 'female', 'proposal_supporters'); everything a person
reads goes through here. Functions return plain strings translated for the current locale.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The groups figures count (accounts.forms names a person's own answer: "Female").
GENDER_GROUP_LABELS = {"female": _l("Women"), "male": _l("Men")}
RESIDENCY_LABELS = {
    "resident": _l("Residents"),
    "relationship": _l("Relationship population"),
    "dual_region": _l("Dual-region residents"),
    "commuter": _l("Commuters"),
    "other": _l("Other"),
}
# The groups the kinds of relationship count (accounts.forms names a person's own answer).
RELATIONSHIP_KIND_LABELS = {
    "works_or_studies": _l("Work or study there"),
    "grew_up": _l("Grew up there"),
    "family": _l("Family there"),
    "furusato_donor": _l("Furusato nozei donors"),
    "visits": _l("Frequent visitors"),
    "buys_products": _l("Buy its products"),
    "volunteers": _l("Volunteer there"),
    "side_job": _l("Side job there"),
}
FURUSATO_LABELS = {
    "none": _l("Not registered"),
    "basic": _l("Furusato registrants (basic)"),
    "premium": _l("Furusato registrants (premium)"),
}
SECTOR_LABELS = {
    "industry": _l("Industry"),
    "government": _l("Government"),
    "academia": _l("Academia"),
    "finance": _l("Finance"),
    "labour": _l("Labour"),
    "media": _l("Media"),
    "professions": _l("Licensed professions"),
    "civil_society": _l("Civil society"),
    "none": _l("No sector"),
}
HEADLINE_LABELS = {"youth": _l("Young people"), "women": _l("Women")}
DIMENSION_LABELS = {
    "age_band": _l("Age"),
    "gender": _l("Gender"),
    "residency": _l("Residency type"),
    "relationship_kind": _l("Kind of relationship (relationship population)"),
    "furusato": _l("Furusato registration"),
    "sector": _l("Sector"),
    "age_band_x_gender": _l("Age and gender"),
}
MODULE_LABELS = {
    "all": _l("All participants"),
    "forum": _l("Forum posters"),
    "proposals": _l("Proposal authors"),
    "proposal_supporters": _l("Proposal supporters"),
    "surveys": _l("Survey respondents"),
}
FLAG_LABELS = {
    "under": _l("Under-represented"),
    "over": _l("Over-represented"),
    "ok": _l("In line with the population"),
}
# What a row may say (multiplicity.in_line_verdict); a row compared with a facilitator's target
# says "target", never "population".
VERDICT_LABELS = {
    "under": _l("Under-represented"),
    "over": _l("Over-represented"),
    "in_line": _l("In line with the population"),
    "not_significant_wide": _l("Not significantly different (too few participants to tell)"),
    "no_data": _l("Nothing to compare yet"),
}
TARGET_VERDICT_LABELS = {
    **VERDICT_LABELS,
    "under": _l("Below the target"),
    "over": _l("Above the target"),
    "in_line": _l("In line with the target"),
}
OVERALL_METHOD_LABELS = {
    "chi_square": _l("Chi-square test"),
    "exact": _l("Exact multinomial test"),
    "monte_carlo": _l("Monte-Carlo test (20,000 simulated tables)"),
}
WITHHELD_REASONS = {
    "all_hidden": _l("Not shown: every group with participants is hidden, so the table with the "
                     "hidden groups merged no longer measures the mix."),
    "suppressed": _l("Not shown: it would reveal a suppressed small group."),
    "no_participants": _l("Nothing to compare yet: no participant has answered."),
}
REFERENCE_KIND_LABELS = {
    "census": _l("Census"),
    "register": _l("Resident register"),
    "csv": _l("Municipal figures"),
    "target": _l("Targets set by the facilitators (not statistics)"),
}
CHI_SQUARE_REASONS = {
    "no_participants": _l("No participants to test yet."),
    "too_few_categories": _l("Too few categories for a test."),
    "small_expected": _l("Too few participants for a reliable test (expected counts below 5)."),
    "suppressed": _l("Not shown: it would reveal a suppressed small group."),
    "unavailable": _l("No reference to test against."),
}
UNAVAILABLE_REASONS = {
    "no_reference": _l("No population figures cover this space's area. An administrator can import them."),
    "no_targets": _l("No target shares are set for this dimension yet."),
    "targets_incomplete": _l("The target shares add up to less than 100%. Set them again so "
                             "that they add up to 100%."),
    "no_population": _l("The reference population of this space's eligible ages is zero."),
}


def age_band_label(key: str) -> str:
    """'18-29' -> '18–29', '80+' -> '80 and over' (translated)."""
    if key.endswith("+"):
        return _("%(low)s and over", low=key[:-1])
    low, _sep, high = key.partition("-")
    return _("%(low)s–%(high)s", low=low, high=high)


def category_label(dimension: str, key: str) -> str:
    """The name of category `key` of `dimension` in the current locale (the key if unknown)."""
    if dimension == "age_band":
        return age_band_label(key)
    if dimension == "age_band_x_gender":
        band, _sep, gender = key.partition("|")
        return _("%(band)s, %(gender)s", band=age_band_label(band),
                 gender=category_label("gender", gender))
    table = {"gender": GENDER_GROUP_LABELS, "residency": RESIDENCY_LABELS, "sector": SECTOR_LABELS,
             "relationship_kind": RELATIONSHIP_KIND_LABELS, "furusato": FURUSATO_LABELS,
             "headline": HEADLINE_LABELS}.get(dimension, {})
    return str(table[key]) if key in table else key


def _lookup(table: dict, key: str | None) -> str:
    return str(table[key]) if key in table else (key or "")


def dimension_label(dimension: str) -> str:
    return _lookup(DIMENSION_LABELS, dimension)


def module_label(module: str) -> str:
    return _lookup(MODULE_LABELS, module)


def flag_label(flag: str | None) -> str:
    return _lookup(FLAG_LABELS, flag)


def verdict_label(verdict: str | None, *, target: bool = False) -> str:
    return _lookup(TARGET_VERDICT_LABELS if target else VERDICT_LABELS, verdict)


def overall_method_label(method: str | None) -> str:
    return _lookup(OVERALL_METHOD_LABELS, method)


def withheld_label(reason: str | None) -> str:
    return _lookup(WITHHELD_REASONS, reason)


def reference_kind_label(kind: str | None) -> str:
    return _lookup(REFERENCE_KIND_LABELS, kind)


def chi_square_reason_label(reason: str | None) -> str:
    return _lookup(CHI_SQUARE_REASONS, reason)


def unavailable_reason_label(reason: str | None) -> str:
    return _lookup(UNAVAILABLE_REASONS, reason)
