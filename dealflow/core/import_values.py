"""Reading the cells of an imported file: dates as CRMs export them, yes/no flags, probabilities.

Dates: ISO; `DD.MM.YYYY [HH:MM[:SS]]`; `MM/DD/YY[YY] [hh:mm[:ss] AM]`; `5 Dec 2026`, `Dec 5, 2026 3:04 PM`.
Whether `03/04/2017` is the 3rd of April or the 4th of March is decided once per column from all of its
values (`DateOrder.observe`), never row by row; a column that gives no hint follows its separator's custom
(dots and dashes are day-first, slashes month-first). Amounts are read by `core.money.parse_amount`, with a
shortcut for the plain `1234.56` that CRM exports write.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dealflow.core import clock, money, when
from dealflow.core.errors import InputError

_YEAR_LAST = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])?\.?[Mm]?\.?)?$")
# A line that could hold a _YEAR_LAST value, as `strip()` leaves it (`\s` and `\d` are the same classes there).
_YEAR_LAST_START = re.compile(r"^[^\S\n]*\d{1,2}[./-]", re.MULTILINE)
_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_LOCAL_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
_SEEN_AT_MOST = 10_000  # distinct values a DateOrder remembers, so that memory stays flat
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,13})(?:\.([0-9]{1,2}))?")  # at most 13 digits: below money.MAX_MINOR
_BOOLEANS = {"true": True, "yes": True, "y": True, "1": True, "да": True, "x": True,
             "false": False, "no": False, "n": False, "0": False, "нет": False}


class DateOrder:
    """Day-first or month-first for one column, decided from every value it holds."""

    def __init__(self, column: str):
        self.column = column
        self.day_first_seen = False
        self.month_first_seen = False
        self.separator: str | None = None
        self.seen: set[str] = set()

    def observe_all(self, texts: list[str]) -> None:
        """`observe` a batch of the column's cells.

        Only `DD.MM.YYYY`-like values tell an order, and most exports write ISO dates: a batch in which no
        line of the cells joined starts like one is passed over after that one search (it is four times
        cheaper than looking at each value; `observe` would learn nothing from any of them).
        """
        if _YEAR_LAST_START.search("\n".join(texts)):
            for text in texts:
                if text.strip():
                    self.observe(text)

    def observe(self, text: str) -> None:
        if text in self.seen:  # exports repeat a few hundred dates; a value tells nothing new the second time
            return
        if len(self.seen) < _SEEN_AT_MOST:
            self.seen.add(text)
        match = _YEAR_LAST.match(text.strip())
        if not match:
            return
        first, separator, second = int(match[1]), match[2], int(match[3])
        self.separator = self.separator or separator
        if (first > 12) != (second > 12):  # both above 12 is no date at all; parsing will say so
            self.day_first_seen |= first > 12
            self.month_first_seen |= second > 12

    def day_first(self) -> bool:
        if self.day_first_seen and self.month_first_seen:
            raise InputError(f"column {self.column!r} has both day-first and month-first dates "
                             "(e.g. 25.03 and 03/25); give --date-format, e.g. --date-format %d.%m.%Y")
        if self.day_first_seen or self.month_first_seen:
            return self.day_first_seen
        return self.separator != "/"


def parse_date(text: str, day_first: bool, fmt: str | None = None) -> when.Moment | None:
    """A cell as a date or an aware datetime; None for an empty cell or a placeholder without digits."""
    if fmt is None and (found := local_iso(text)):
        return found[0]
    return _cached_date(text, day_first, fmt)


def local_iso(text: str) -> tuple[datetime, str] | None:
    """A `YYYY-MM-DD HH:MM[:SS]` local time as (moment, its stored text, as `when.to_text` writes it), or None
    when the cell is written otherwise, is no real day and time of day, or falls on a day the clocks change.

    Most timed cells of an export have this form and are all different (minutes differ), so no cache
    helps; reading each through `clock.localize` (the system's time-zone rules) was a third of an import.
    The offset is looked up once per calendar day instead, which is exact on every day but the few where
    it changes (DST), and those take the exact path. The stored text is built first and read back once: that
    reading is both the check (no 24:00 or 12:60) and the moment, and formatting a moment costs more.
    """
    if not _LOCAL_ISO.fullmatch(text) or not when.FIRST_YEAR <= text[:4] <= when.LAST_YEAR:
        return None  # out of range: the general reader says so
    offset = _day_offset(text[:10])
    if offset is None:
        return None
    stored = f"{text[:10]}T{text[11:16]}{text[16:] or ':00'}{offset}"
    try:
        return datetime.fromisoformat(stored), stored
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _day_offset(day: str) -> str | None:
    """The local UTC offset as stored texts write it (`+03:00`) when it is the same all day `day`; None when
    it changes during the day (a DST switch) or the day is no valid local date."""
    try:
        start = clock.localize(datetime.fromisoformat(f"{day}T00:00:00"))
        end = clock.localize(datetime.fromisoformat(f"{day}T23:59:59"))
    except (ValueError, OverflowError):
        return None
    if start.utcoffset() != end.utcoffset():
        return None
    return when.to_text(start)[19:]


# Words CRMs and spreadsheets write for "no date"; so does any text that is only punctuation, and Russian
# "не …" (`не закрыта`, `не указана`). Other words are refused: `someday` is a slip, not an empty cell.
NO_DATE_WORDS = frozenset({"n/a", "na", "none", "null", "nil", "no", "never", "unknown", "tbd", "not set",
                           "(no value)", "нет", "никогда", "неизвестно"})


@lru_cache(maxsize=8192)
def _cached_date(text: str, day_first: bool, fmt: str | None) -> when.Moment | None:
    """Cached: exports repeat the same few hundred dates over thousands of rows."""
    cleaned = " ".join(text.split())
    if not any(char.isdigit() for char in cleaned):
        folded = cleaned.casefold()
        if not any(char.isalpha() for char in folded) or folded in NO_DATE_WORDS or folded.startswith("не "):
            return None  # `не закрыта`, `-`, `n/a`: no date
        raise InputError(f"cannot read {text!r} as a date; leave the cell empty (or `-`) for no date")
    moment = _parse_date(cleaned, day_first, fmt)
    when.check_range(text, moment)
    return moment


def _parse_date(text: str, day_first: bool, fmt: str | None) -> when.Moment:
    if fmt:
        try:
            parsed = datetime.strptime(text, fmt)
            return _moment(parsed, timed=any(code in fmt for code in ("%H", "%I", "%M", "%S", "%X", "%c", "%T")))
        except (ValueError, OverflowError):  # no match, or a moment the local time zone cannot hold
            raise InputError(f"{text!r} does not match --date-format {fmt}, or is not a real date") from None
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text) if len(text) == 10 else clock.localize(datetime.fromisoformat(text))
        if match := _YEAR_LAST.match(text):
            return _numeric(match, day_first)
        if match := _YEAR_FIRST.match(text):
            year, month, day, hour, minute, second = match.groups()
            return _built(int(year), int(month), int(day), hour, minute, second, None)
        if re.search(r"[^\W\d_]{3}", text):
            return _worded(text, day_first)
    except (ValueError, OverflowError):
        pass
    raise InputError(f"cannot read {text!r} as a date; use YYYY-MM-DD, DD.MM.YYYY or MM/DD/YYYY "
                     "(or give --date-format)")


def _numeric(match: re.Match[str], day_first: bool) -> when.Moment:
    first, _, second, year, hour, minute, second_of_minute, half = match.groups()
    day, month = (first, second) if day_first else (second, first)
    full_year = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 70 else 1900 + int(year)
    return _built(full_year, int(month), int(day), hour, minute, second_of_minute, half)


def _built(year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None,
           half: str | None) -> when.Moment:
    if hour is None:
        return date(year, month, day)
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            raise ValueError("12-hour clock")
        hours = hours % 12 + (12 if half in "Pp" else 0)
    return clock.localize(datetime(year, month, day, hours, int(minute), int(second or 0)))


def _worded(text: str, day_first: bool) -> when.Moment:
    """A date written with a month's name (`1 Dec 2026`). One without a year is refused: dateutil would take
    the machine's own year, and a file's dates must not change with the day it is imported."""
    from dateutil import parser  # only for dates written with month names

    parsed = parser.parse(text, dayfirst=day_first, fuzzy=False, default=datetime(2000, 1, 1))
    if parsed.year == 2000 and parser.parse(text, dayfirst=day_first, default=datetime(2001, 1, 1)).year == 2001:
        raise InputError(f"{text!r} has no year; write the date in full (5 Jan 2026)")
    return _moment(parsed, timed=re.search(r"\d:\d\d", text) is not None)


def _moment(parsed: datetime, timed: bool) -> when.Moment:
    return clock.localize(parsed) if timed or parsed.tzinfo else parsed.date()


def parse_amount(text: str) -> tuple[int, str | None]:
    """`money.parse_amount`, reading a plain `1234.56` directly: it is most of an export's amounts, and the
    general reader (signs, symbols, grouping, decimal commas) is the slowest step of a deal row."""
    if plain := _PLAIN_AMOUNT.fullmatch(text):
        whole, cents = plain.groups()
        return int(whole) * money.SCALE + int((cents or "").ljust(2, "0")), None
    return money.parse_amount(text)


def is_yes_or_no(text: str) -> bool:
    return text.strip().casefold() in _BOOLEANS


def parse_bool(text: str) -> bool:
    """`true`/`false`, `1`/`0`, `yes`/`no`, `да`/`нет` (Salesforce IsWon/IsClosed and the like)."""
    found = _BOOLEANS.get(text.strip().casefold())
    if found is None:
        raise InputError(f"{text!r} is not true or false")
    return found


def parse_probability(text: str) -> int:
    """`40`, `40%`, `40.0` → 40."""
    match = re.fullmatch(r"(\d{1,3})(?:[.,]0+)?\s*%?", text.strip())
    if not match or int(match[1]) > 100:
        raise InputError(f"{text!r} is not a probability: give a whole percentage from 0 to 100")
    return int(match[1])
