"""AMOUNT: what people type reads back to the exact integer minor units; nothing else is accepted."""

import pytest
from hypothesis import given, settings, strategies as st

from dealflow.core import money
from dealflow.core.errors import InputError

MAX = 10**15 - 1


def group(whole: int, separator: str) -> str:
    text = f"{whole:,}"
    return text.replace(",", separator)


def styled(minor: int, style: str, with_cents: bool) -> str:
    """The amount as a person would type it in one of the SPEC §2 styles."""
    whole, cents = divmod(minor, 100)
    styles = {
        "plain": (str(whole), "."),
        "space-comma": (group(whole, " "), ","),
        "comma-point": (group(whole, ","), "."),
        "nbsp-comma": (group(whole, "\u00a0"), ","),
        "apostrophe-point": (group(whole, "'"), "."),
        "narrow-nbsp-point": (group(whole, "\u202f"), "."),
    }
    digits, mark = styles[style]
    return f"{digits}{mark}{cents:02d}" if with_cents else digits


@pytest.mark.parametrize("text, minor, currency", [
    ("120000", 12_000_000, None),
    ("120000.50", 12_000_050, None),
    ("120 000,50", 12_000_050, None),
    ("120,000.50", 12_000_050, None),
    ("1 200 000", 120_000_000, None),
    ("1\u00a0200\u00a0000", 120_000_000, None),
    ("1'200'000.5", 120_000_050, None),
    ("1,200,000", 120_000_000, None),
    ("1,5", 150, None),
    ("$1,500", 150_000, "USD"),
    ("1500 €", 150_000, "EUR"),
    ("₽ 120 000", 12_000_000, "RUB"),
    ("120000 RUB", 12_000_000, "RUB"),
    ("usd 10", 1000, "USD"),
    ("120 000 руб.", 12_000_000, "RUB"),
    ("+5", 500, None),
    ("0", 0, None),
])
def test_listed_forms(text, minor, currency):
    assert money.parse_amount(text) == (minor, currency)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, MAX),
       st.sampled_from(["plain", "space-comma", "comma-point", "nbsp-comma", "apostrophe-point",
                        "narrow-nbsp-point"]),
       st.booleans(),
       st.sampled_from([None, "$", "€", "₽", "RUB", "USD"]),
       st.booleans(), st.booleans())
def test_any_amount_in_any_style_reads_back_exactly(minor, style, with_cents, mark, before, spaced):
    if not with_cents:
        minor -= minor % 100
    text = styled(minor, style, with_cents)
    if mark:
        gap = " " if spaced else ""
        text = f"{mark}{gap}{text}" if before else f"{text}{gap}{mark}"
    expected_currency = money.normalize_currency(mark) if mark else None
    assert money.parse_amount(text) == (minor, expected_currency)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, MAX), st.sampled_from(["", "$", "RUB ", "₽"]))
def test_negative_amounts_are_refused(minor, mark):
    for text in (f"-{minor / 100:.2f}", f"{mark}-{minor}", f"-{mark}{minor}", f"−{minor}"):
        with pytest.raises(InputError):
            money.parse_amount(text)


@pytest.mark.parametrize("text", ["-5", "$-5", "-$5", "−120 000", "- 5"])
def test_negative_says_so(text):
    with pytest.raises(InputError, match="negative"):
        money.parse_amount(text)


@pytest.mark.parametrize("text", [
    "", "abc", "12abcd", "1.2.3", "1,2,3", "12,34,567", "1.234", "1,00.5", "$5€", "5 dollars", "1e5", "0x10",
    "1.²", "١٢٣", "٣.٥٠", "1.٥٠", "99999999999999999999", ".", ",", "NaN", "inf",
])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(InputError):
        money.parse_amount(text)


@pytest.mark.parametrize("text", ["500,", "500.", "$500,", "1 500,", "500 ,", "500-"])
def test_a_separator_with_nothing_after_it_is_a_malformed_amount_not_a_currency(text):
    with pytest.raises(InputError, match=r"is not a well-formed amount: '[,.-]' has no digits after it"):
        money.parse_amount(text)


@pytest.mark.parametrize("text", ["0,500", "0,001", "$0,050", "00,500", "0,500,000"])
def test_a_leading_zero_is_never_a_thousands_group(text):
    with pytest.raises(InputError, match="at most two decimals"):
        money.parse_amount(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=20))
def test_random_text_only_raises_input_error(text):
    try:
        minor, currency = money.parse_amount(text)
    except InputError:
        return
    assert isinstance(minor, int) and 0 <= minor <= MAX
    assert currency is None or (len(currency) == 3 and currency.isupper())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MAX))
def test_plain_form_round_trips(minor):
    assert money.parse_amount(money.to_plain(minor)) == (minor, None)


def test_human_forms():
    assert money.to_human(150_050, "USD") == "$ 1,500.50"
    assert money.to_human(125_000_000, "RUB") == "₽ 1\u202f250\u202f000"
    assert money.to_human(500, "CHF") == "CHF 5"
    assert money.to_human(4_500_000, "USD", cents=True) == "$ 45,000.00"
    assert money.to_human(150_050, "USD", cents=True) == "$ 1,500.50"
    assert money.to_plain(150_000) == "1500.00"


def test_unknown_currency_mark():
    with pytest.raises(InputError, match="currency"):
        money.normalize_currency("dollars")


@pytest.mark.parametrize("text", ["1 20", "1 2 3", "1'20", "12 0000", "1234 567", "1 200 00", "1 20,50", "1\u00a020"])
def test_spaces_and_apostrophes_group_thousands_only_in_threes(text):
    with pytest.raises(InputError, match="groups must have three digits"):
        money.parse_amount(text)


@pytest.mark.parametrize("text", ["12abc", "500 XYZ", "USB 10", "10 RUX"])
def test_a_code_outside_iso_4217_is_refused(text):
    with pytest.raises(InputError, match="unknown currency"):
        money.parse_amount(text)


@pytest.mark.parametrize("mark, code", [("kzt", "KZT"), ("CHF", "CHF"), ("rur", "RUB"), ("₽", "RUB"), ("hrk", "HRK")])
def test_iso_codes_and_symbols_are_read(mark, code):
    assert money.normalize_currency(mark) == code


@pytest.mark.parametrize("name, code", [("Российский рубль", "RUB"), ("российский  РУБЛЬ", "RUB"), ("Доллар США", "USD"),
                                        ("Евро", "EUR"), ("US Dollar", "USD"), ("Белорусский рубль", "BYN"),
                                        ("Украинская гривна", "UAH"), ("Фунт стерлингов", "GBP")])
def test_currency_names_crms_write_in_a_currency_column(name, code):
    assert money.normalize_currency(name) == code
