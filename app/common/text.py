"""Text normalisation: NFKC so full-width and half-width forms compare equal, and identities
(e-mail addresses, display names) without characters nobody can see."""
from __future__ import annotations

import re
import unicodedata

# Characters that change nothing a reader sees but make two strings differ, or reorder what is
# shown: zero-width space/non-joiner/joiner, word joiner, BOM (zero-width no-break space),
# soft hyphen, the invisible mathematical operators, and the bidirectional controls (LRM, RLM,
# ALM, embeddings, overrides, isolates). "ad\u200bmin" must not pass for a second "admin", and
# an RLO in a name must not make it read backwards. Variation selectors stay: Japanese names
# use them (異体字 such as 辻 with a selector) and they are visible.
INVISIBLE_CHARACTERS = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2061\u2062\u2063\u2064"
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE_CHARACTERS)) + "]")


def normalize(text: str | None) -> str:
    """NFKC-normalise and trim; None becomes ''."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", text).strip()


def strip_invisible(text: str) -> str:
    """`text` without INVISIBLE_CHARACTERS."""
    return _INVISIBLE.sub("", text)


def normalize_identity(text: str | None) -> str:
    """What identifies a person to others (an e-mail address, a display name): NFKC, without
    invisible and bidirectional control characters, trimmed. Every place that stores or compares
    an address or a name goes through here, so the stored and the typed forms always agree."""
    return strip_invisible(normalize(text)).strip()


def normalize_email(email: str | None) -> str:
    """E-mail for comparison and storage: NFKC (full-width ＠ becomes @), no invisible
    characters, trimmed, lower case."""
    return normalize_identity(email).lower()
