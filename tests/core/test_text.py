"""The normalizations that uniqueness and matching compare (core/text.py)."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealflow.core.text import Regex, counted, digits, email_key, tags_edited, tags_join


@given(st.text(alphabet=st.sampled_from("aZq@.-_ ÜüДдİıẞß1\u00a0\t"), max_size=12))
def test_email_key_is_never_finer_than_the_unique_index(text):
    """contacts_email is UNIQUE on SQLite's lower(email), which folds A-Z only: two emails it holds equal must
    have one key, or a second contact would get past the check and crash on the index."""
    conn = sqlite3.connect(":memory:")
    assert email_key(text) == email_key(conn.execute("SELECT lower(?)", (text,)).fetchone()[0])


def test_email_key_examples():
    assert email_key("  Anna@Example.COM ") == "anna@example.com"
    assert email_key("Ünal@X.de") == "ünal@x.de"
    assert email_key("Иван@Почта.РФ") == "иван@почта.рф"


def test_counted_says_one_thing_in_the_singular_and_any_other_count_in_the_plural():
    assert [counted(n, "deal") for n in (0, 1, 2, 21)] == ["0 deals", "1 deal", "2 deals", "21 deals"]
    assert [counted(n, "activity", "activities") for n in (1, 3)] == ["1 activity", "3 activities"]
    assert counted(1, "touch", "touches") == "1 touch" and counted(9, "touch", "touches") == "9 touches"


def test_digits_keeps_only_digits():
    assert digits("+7 (916) 000-00-01") == "79160000001"
    assert digits("call me") is None
    assert digits(None) is None


@pytest.mark.parametrize("phone, expected", [
    ("+7 495 111-22-33 доб. 123", "74951112233"), ("+7 495 111-22-33 доб 123", "74951112233"),
    ("+7 495 111-22-33, доб.123", "74951112233"), ("+7 495 111-22-33 ДОБ. 123", "74951112233"),
    ("+1 555 123 4567 ext. 12", "15551234567"), ("+1 555 123 4567 EXT 12", "15551234567"),
    ("+1 555 123 4567 x12", "15551234567"), ("+1 555 123 4567x 12", "15551234567"),
    ("+1 555 123 4567 #12", "15551234567"), ("(495) 111-22-33 вн. 7", "4951112233"),
    ("8-800-555-35-35 (доб. 2)", "88005553535"), ("+7 495 777-88-99 доб.: 12", "74957778899"),
    ("+7 495 777-88-99 доп. 12", "74957778899"), ("+7 495 777-88-99 д. 12", "74957778899"),
    ("+7 (495) 111-22-33", "74951112233"),  # brackets around the area code are no extension
])
def test_digits_leave_out_an_extension(phone, expected):
    """Dialled once the call is through, an extension is not part of the number a caller ID shows."""
    assert digits(phone) == expected


def test_regex_compiles_on_first_use_and_then_is_a_compiled_pattern():
    pattern = Regex(r"(?s)(\d+)\s*x")
    assert "findall" not in vars(pattern)
    assert pattern.findall("2 x, 10\nx and 3y") == ["2", "10"]
    assert "findall" in vars(pattern)  # later calls skip the lookup through __getattr__
    assert pattern.sub("#", "7x") == "#"
    assert pattern.fullmatch("12 x")[1] == "12"
    assert pattern.match("x") is None
    assert pattern.pattern == r"(?s)(\d+)\s*x"


def test_tags_are_kept_once_in_any_case_and_spelling_of_yo():
    assert tags_join(["тёплый, VIP", "Теплый,vip", " b2b ,", "ТЁПЛЫЙ"]) == "тёплый,VIP,b2b"
    assert tags_join(["", " , "]) is None
    assert tags_edited("тёплый,VIP,b2b", ["Новый", "новый"], ["ТЕПЛЫЙ", "vip"]) == "b2b,Новый"
