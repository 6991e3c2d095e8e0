"""AMOUNT: money typed by people, held as integer minor units (cents, kopecks), never as a float.

Every currency is kept with two decimal places, so one rule serves sums, invoices and reports.
"""

from __future__ import annotations

from dealflow.core.errors import InputError
from dealflow.core.text import Regex

SCALE = 100

SYMBOLS = {
    "$": "USD", "€": "EUR", "₽": "RUB", "£": "GBP", "¥": "JPY", "₴": "UAH", "₸": "KZT",
    "руб": "RUB", "руб.": "RUB", "р": "RUB", "р.": "RUB", "rur": "RUB",
    # currency names as CRMs (Bitrix24 among them) write them in a currency column
    "рубль": "RUB", "российский рубль": "RUB", "доллар сша": "USD", "евро": "EUR", "гривна": "UAH",
    "тенге": "KZT", "белорусский рубль": "BYN", "russian ruble": "RUB", "us dollar": "USD", "euro": "EUR",
    "украинская гривна": "UAH", "казахстанский тенге": "KZT", "фунт стерлингов": "GBP", "японская иена": "JPY",
    "китайский юань": "CNY", "юань": "CNY", "рубли": "RUB", "доллары сша": "USD",
}
_SHOWN = {"USD": "$", "EUR": "€", "RUB": "₽", "GBP": "£", "JPY": "¥", "UAH": "₴", "KZT": "₸"}
_GROUP = Regex(r"[\s\u00a0\u202f']")
# A space or apostrophe groups thousands only when three digits follow it (up to a decimal mark or the end),
# after a first group of at most three: `1 20` and `12 0000` are slips, not 120 and 120000.
_LOOSE_GROUP = Regex(r"\d{4} |[^\d] | (?!\d{3}(?:[ .,]|$))")
_CODE = Regex(r"^[A-Za-z]{3}$")
_DIGITS = Regex(r"[0-9]+")
_NEGATIVE = Regex(r"^[^\d]*[-−]")  # a minus anywhere before the number
_PARTS = Regex(r"^(?P<pre>[^\d\s+\-−.,]*)\s*(?P<num>[+\-−]?[\d\s\u00a0\u202f',.]*?)\s*(?P<post>[^\d\s]*)$")
_STRAY = ".,;:'-−+"  # a mark of these only is a slip in the number
MAX_MINOR = 10**15 - 1  # below 2**53: exact as a JSON number and far inside SQLite's INTEGER


def parse_amount(text: str) -> tuple[int, str | None]:
    """Read an AMOUNT; return (minor units, currency code or None when none was written)."""
    raw = str(text).strip()
    if _NEGATIVE.match(raw):
        raise InputError(f"{text!r}: amounts cannot be negative")
    number, currency = _split_currency(raw)
    spaced = _GROUP.sub(" ", number.lstrip("+"))
    if _LOOSE_GROUP.search(spaced):
        raise InputError(f"cannot read {text!r} as an amount: thousands groups must have three digits")
    digits = spaced.replace(" ", "")
    whole, fraction = _split_decimal(digits, text)
    if not _DIGITS.fullmatch(whole) or (fraction and not _DIGITS.fullmatch(fraction)):
        raise InputError(f"cannot read {text!r} as an amount; write e.g. 120000, 120 000,50 or 1,200.50 USD")
    if len(fraction) > 2:
        raise InputError(f"{text!r} has more than two decimal places")
    minor = int(whole) * SCALE + int(fraction.ljust(2, "0") or 0)
    if minor > MAX_MINOR:
        raise InputError(f"{text!r} is too large; amounts go up to {to_plain(MAX_MINOR)}")
    return minor, currency


def _split_currency(raw: str) -> tuple[str, str | None]:
    """Strip a leading or trailing currency symbol or ISO code."""
    match = _PARTS.match(raw)
    if not match or not match["num"].strip():
        raise InputError(f"cannot read {raw!r} as an amount; write e.g. 120000, 120 000,50 or 1,200.50 USD")
    marks = [mark for mark in (match["pre"], match["post"]) if mark]
    for mark in marks:
        if not mark.strip(_STRAY):  # `500,`: a separator with no digits after it, not a currency named ','
            raise InputError(f"{raw!r} is not a well-formed amount: {mark!r} has no digits after it; "
                             "write e.g. 500, 500.50 or \"1 200,50 RUB\"")
    if len(marks) > 1:
        raise InputError(f"{raw!r} names a currency twice")
    return match["num"].strip(), normalize_currency(marks[0]) if marks else None


def _split_decimal(digits: str, text: str) -> tuple[str, str]:
    """Decide which of ',' and '.' is the decimal mark; the other may only group thousands."""
    points, commas = digits.count("."), digits.count(",")
    if points and commas:
        mark = "." if digits.rfind(".") > digits.rfind(",") else ","
        grouping = "," if mark == "." else "."
        if digits.count(mark) > 1:
            raise InputError(f"cannot read {text!r} as an amount: more than one decimal mark")
        whole, fraction = digits.split(mark)
        return _ungroup(whole, grouping, text), fraction
    if points > 1:
        raise InputError(f"cannot read {text!r} as an amount: use ',' or a space to group thousands")
    if points == 1:
        whole, fraction = digits.split(".")
        return whole, fraction
    if commas == 1 and len(digits.split(",")[1]) != 3:
        whole, fraction = digits.split(",")
        return whole, fraction
    return _ungroup(digits, ",", text), ""


def _ungroup(whole: str, separator: str, text: str) -> str:
    if separator not in whole:
        return whole
    head, *groups = whole.split(separator)
    if not head or len(head) > 3 or any(len(group) != 3 for group in groups):
        raise InputError(f"cannot read {text!r} as an amount: thousands groups must have three digits")
    if head.startswith("0"):  # `0,500` is no thousand: a fraction with three decimals
        raise InputError(f"cannot read {text!r} as an amount: an amount has at most two decimals, e.g. 0,50")
    return head + "".join(groups)


# ISO 4217 codes in use (and HRK, still in books from before 2023), so that a typo such as `12abc` or `USB`
# is refused rather than opening a currency of its own in every report.
ISO_CODES = frozenset("""
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD
    CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ
    GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG ZWL""".split())


def normalize_currency(mark: str) -> str:
    """A symbol or code → an upper-case ISO 4217 code (`RUR`, the rouble's old code, reads as RUB)."""
    cleaned = mark.strip()
    code = cleaned.upper()
    if code in ISO_CODES and _CODE.match(cleaned):  # the usual case first: an import reads one a row
        return code
    named = " ".join(cleaned.casefold().split())
    if named in SYMBOLS:
        return SYMBOLS[named]
    raise InputError(f"unknown currency {mark!r}; use an ISO 4217 code such as USD, EUR, RUB, or a symbol "
                     "($, €, ₽, £)")


def to_plain(minor: int | None) -> str:
    """`1500.00`: the machine form used in TSV and CSV."""
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), SCALE)
    return f"{sign}{whole}.{cents:02d}"


def to_number(minor: int | None) -> float | None:
    """A JSON number; exact as text for any amount below 2**53 minor units."""
    return None if minor is None else minor / SCALE


def to_human(minor: int | None, currency: str | None, *, cents: bool = False) -> str:
    """`$ 1,500.50`, `₽ 1 250 000`: for people at a terminal or on an invoice.

    Whole amounts drop their `.00` unless `cents` asks for them (`$ 45,000.00`), as a column does where some
    amount has cents, so that every amount in it has the same decimals."""
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), SCALE)
    separator = "," if currency in ("USD", "GBP") else "\u202f"
    grouped = f"{whole:,}".replace(",", separator)
    amount = f"{grouped}.{fraction:02d}" if fraction or cents else grouped
    symbol = _SHOWN.get(currency or "", currency or "")
    return f"{sign}{symbol} {amount}".strip()
