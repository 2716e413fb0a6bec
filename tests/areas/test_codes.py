"""The 6-digit local government code's check digit, on codes from the ministry's list."""
import pytest

from app.areas.codes import check_digit, is_valid_six_digit, with_check_digit

KNOWN = {"01000": "010006", "01100": "011002", "01101": "011011", "01102": "011029",
         "01202": "012025", "01203": "012033", "13000": "130001", "13103": "131032",
         "13104": "131041", "27000": "270008", "27100": "271004", "27109": "271098",
         "47201": "472018", "15217": "152170", "08220": "082201", "39201": "392014",
         "02307": "023078", "02411": "024112"}


@pytest.mark.parametrize("five,six", sorted(KNOWN.items()))
def test_known_codes(five, six):
    assert with_check_digit(five) == six
    assert is_valid_six_digit(six)


def test_remainders_zero_and_one_give_one_and_zero():
    assert check_digit("15217") == 0  # 6+25+8+3+14 = 56, 56 mod 11 = 1, 11-1 = 10 → 0
    assert check_digit("08220") == 1  # 0+40+8+6+0 = 54, 54 mod 11 = 10, 11-10 = 1
    zero_remainder = "00000"  # sum 0, remainder 0, 11-0 = 11 → 1
    assert check_digit(zero_remainder) == 1


def test_a_wrong_digit_is_caught():
    assert not is_valid_six_digit("011003")
    assert not is_valid_six_digit("01100")
    assert not is_valid_six_digit("R-HOKKAIDO")


@pytest.mark.parametrize("bad", ["0110", "011000", "R-X", "０１１００", None, 1100])
def test_only_five_digits_are_accepted(bad):
    with pytest.raises(ValueError):
        check_digit(bad)
