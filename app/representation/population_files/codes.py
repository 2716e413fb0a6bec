"""Local government codes (全国地方公共団体コード, JIS X 0402): five digits, and a sixth, the
check digit, in the resident register."""
from __future__ import annotations

import re
import unicodedata

NATION_CODE = "00000"

CODE5 = re.compile(r"\d{5}")
CODE6 = re.compile(r"\d{6}")


def jis_check_digit(code5: str) -> int:
    """Check digit of a 5-digit local government code (JIS X 0402 / 全国地方公共団体コード).

    Weights 6,5,4,3,2; r = sum % 11; check digit = (11 - r) mod 10, i.e. 11 - r,
    except r = 0 gives 1 and r = 1 gives 0. 01100 -> 2, 01101 -> 1, 13101 -> 8.
    """
    if not (isinstance(code5, str) and CODE5.fullmatch(code5)):
        raise ValueError(f"need a 5-digit code, got {code5!r}")
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), code5, strict=False))
    return (11 - s % 11) % 10


def with_check_digit(code5: str) -> str:
    return code5 + str(jis_check_digit(code5))


def strip_check_digit(code6: str) -> str:
    """'011002' -> '01100'; ValueError if the check digit is wrong."""
    if not (isinstance(code6, str) and CODE6.fullmatch(code6)):
        raise ValueError(f"need a 6-digit code, got {code6!r}")
    expected = jis_check_digit(code6[:5])
    if int(code6[5]) != expected:
        raise ValueError(f"code {code6}: check digit {code6[5]} is wrong, expected {expected}")
    return code6[:5]


def prefecture_code(code5: str) -> str:
    return code5[:2] + "000"


def parse_area_code(text: str) -> str:
    """A typed code: 5 digits, or 6 with a correct check digit (full-width digits accepted)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if CODE5.fullmatch(s):
        return s
    if CODE6.fullmatch(s):
        return strip_check_digit(s)
    raise ValueError(f"area_code {text!r} is not a 5-digit local government code")
