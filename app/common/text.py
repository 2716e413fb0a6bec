"""Text normalisation: NFKC so full-width and half-width forms compare equal."""
from __future__ import annotations

import unicodedata


def normalize(text: str | None) -> str:
    """NFKC-normalise and trim; None becomes ''."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", text).strip()


def normalize_email(email: str | None) -> str:
    """E-mail for comparison and storage: NFKC (full-width ＠ becomes @), trimmed, lower case."""
    return normalize(email).lower()
