"""The 6-digit local government code (全国地方公共団体コード): the 5-digit code (JIS X 0401
prefecture + JIS X 0402 municipality) followed by its check digit (検査数字). Pure: no Flask,
no SQLAlchemy.

The check digit (JIS X 0402; the rule the Ministry of Internal Affairs publishes with the code
list, restated e.g. at http://citycode.fmd4.com/chigai and https://wiki.hgotoh.jp/documents/code/
code-014): multiply the five digits by 6, 5, 4, 3, 2, sum, take the remainder mod 11, subtract it
from 11 and keep the last digit. So a remainder of 0 gives 1 (11) and a remainder of 1 gives 0
(10). Known codes: 北海道 01000 → 010006, 札幌市 01100 → 011002, 小樽市 01203 → 012033,
東京都 13000 → 130001, 大阪府 27000 → 270008, 那覇市 47201 → 472018.
"""
from __future__ import annotations

import re

_FIVE_DIGITS = re.compile(r"^[0-9]{5}$")
_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(code: str) -> int:
    """The check digit of a 5-digit local government code. Raises ValueError otherwise."""
    if not isinstance(code, str) or not _FIVE_DIGITS.match(code):
        raise ValueError(f"not a 5-digit local government code: {code!r}")
    total = sum(int(digit) * weight for digit, weight in zip(code, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def with_check_digit(code: str) -> str:
    """The 6-digit 全国地方公共団体コード of a 5-digit code: 01100 → 011002."""
    return f"{code}{check_digit(code)}"


def is_valid_six_digit(code: str) -> bool:
    """Whether a 6-digit code's last digit is the check digit of its first five."""
    return (isinstance(code, str) and len(code) == 6 and code[5].isdigit()
            and bool(_FIVE_DIGITS.match(code[:5])) and int(code[5]) == check_digit(code[:5]))
