"""Why no panel meets the quotas, in sentences: the offline command prints them in English, the
web pages store them (as JSON) and show them in the reader's language.

Pure: no Flask, no SQLAlchemy. Each line is an English msgid with its parameters; `quotas`
parameters are lists of (feature, value) pairs, turned into words by the caller's `label`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.common.errors import N_

CONFLICT_MESSAGES = {
    "pool_too_small": N_("the pool is %(people)s short of the panel size %(k)s"),
    "pool_short": N_("%(quotas)s: the pool is %(people)s short of the minimum"),
    "minimums_exceed_size": N_("%(feature)s: the minimums exceed the panel size %(k)s by %(people)s"),
    "maximums_below_size": N_("%(feature)s: the maximums (at most the volunteers there are) fall"
                              " %(people)s short of the panel size %(k)s"),
    "combined": N_("these quotas cannot all be met together (by %(people)s): %(quotas)s"),
}
HEADLINE = N_("no panel of %(k)s meets every quota.")
RELAXATION = N_("Nearest quotas that can be met (changing %(total)s in total):")
CHANGE = N_("%(quota)s: %(bound)s %(old)s -> %(new)s")
BOUNDS = {"min": N_("minimum"), "max": N_("maximum")}


@dataclass(frozen=True)
class Line:
    msgid: str
    params: dict
    item: bool = False  # a point under the line before it

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "params": self.params, "item": self.item}

    @classmethod
    def from_json(cls, data: dict) -> Line:
        return cls(data["msgid"], dict(data["params"]), bool(data.get("item")))


def explain_infeasible(error, k: int) -> list[Line]:
    """The conflicts of an ``InfeasibleQuotas`` and the nearest quotas that can be met."""
    lines = [Line(HEADLINE, {"k": k})]
    for c in error.conflicts:
        params = {"people": c.people, "k": k, "quotas": [list(q) for q in c.quotas],
                  "feature": c.quotas[0][0] if c.quotas else ""}
        lines.append(Line(CONFLICT_MESSAGES[c.kind], params, item=True))
    if error.relaxation:
        lines.append(Line(RELAXATION, {"total": error.total_relaxation}))
        lines += [Line(CHANGE, {"quota": [[c.feature, c.value]], "bound": c.bound, "old": c.old,
                                "new": c.new}, item=True) for c in error.relaxation]
    return lines


def plain_label(feature: str, value: str | None = None) -> str:
    return feature if value is None else f"{feature}={value}"


def _plain(msgid: str, **params) -> str:
    return msgid % params


def render(line: Line, gettext: Callable[..., str] = _plain,
           label: Callable[..., str] = plain_label) -> str:
    """One line in words: `gettext(msgid, **params)` with quota lists and features named by
    `label(feature, value)` / `label(feature)`."""
    params = dict(line.params)
    for key in ("quotas", "quota"):
        if key in params:
            params[key] = ", ".join(label(f, v) for f, v in params[key])
    if "feature" in params and params["feature"]:
        params["feature"] = label(params["feature"])
    if gettext is not _plain and params.get("bound") in BOUNDS:  # the command says min/max
        params["bound"] = gettext(BOUNDS[params["bound"]])
    return gettext(line.msgid, **params)


def as_text(lines: list[Line]) -> str:
    """The English text the offline command prints."""
    def text(line: Line) -> str:
        if not line.item:
            return render(line)
        return "  - " + render(line) + ("" if line.msgid == CHANGE else ".")

    return "\n".join(text(line) for line in lines)
