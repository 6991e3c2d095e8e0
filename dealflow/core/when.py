"""WHEN: the dates and times a user types, read in one place for every command.

A result is either a `date` (a whole day, never given an invented midnight) or an aware `datetime`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dealflow.core import clock
from dealflow.core.errors import InputError
from dealflow.core.text import Regex

Moment = date | datetime

ACCEPTED = (
    "now, today, tomorrow, yesterday (сегодня, завтра, вчера), a weekday (fri, friday), eow, eom, "
    "an offset (+3d, -1d, +2w, +1m, +4h), an ISO date or datetime (2026-12-01, 2026-12-01 14:30), "
    "a day-first date (25.12.2026, 01.02.2027 14:30), "
    "a time (14:30), a day with a time (tomorrow 10:00, fri 9:30) or a date such as '5 Dec'"
)

# The dates dealflow takes: anything earlier or later is a typo, and staying far inside Python's calendar
# (year 1 to 9999) means a time zone or an offset applied to a date never overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
FIRST_YEAR, LAST_YEAR = f"{FIRST_DAY.year:04d}", f"{LAST_DAY.year:04d}"  # for a quick look at ISO text

_DAY_WORDS = {
    "today": 0, "сегодня": 0,
    "tomorrow": 1, "завтра": 1,
    "yesterday": -1, "вчера": -1,
}
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [("mon", "monday"), ("tue", "tuesday"), ("wed", "wednesday"), ("thu", "thursday"),
         ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday")]
    )
    for name in names
}
_TIME = Regex(r"^(\d{1,2}):(\d{2})$")
_ISO_DAY = Regex(r"^\d{4}-\d{2}-\d{2}")
_DOTTED = Regex(r"^(\d{1,2})\.(\d{1,2})\.(\d+)(?:[ t](\d{1,2}:\d{2}))?$")  # read lowered
_WORD = Regex(r"[^\W\d_]+")  # letters only
_DIGIT_RUN = Regex(r"\d+")


class Offset:
    """A signed calendar offset such as `+3d` or `+1m` (used for intervals in settings and stages)."""

    __slots__ = ("amount", "unit")

    def __init__(self, amount: int, unit: str):
        self.amount = amount
        self.unit = unit  # h, d, w, m or y

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else "+"
        return f"{sign}{abs(self.amount)}{self.unit}"

    def apply(self, moment: Moment) -> Moment:
        """Shift a moment; days and longer keep a date a date, hours need (and make) a datetime."""
        try:
            if self.unit == "h":
                return as_datetime(moment) + timedelta(hours=self.amount)
            if self.unit in "dw":
                return moment + timedelta(days=self.amount * (7 if self.unit == "w" else 1))
            from dateutil.relativedelta import relativedelta  # only month/year arithmetic needs it

            months = self.amount * (12 if self.unit == "y" else 1)
            return moment + relativedelta(months=months)
        except (OverflowError, ValueError):
            raise InputError(f"{self} from {day_of(moment).isoformat()} is out of range: dates go from "
                             f"{RANGE}") from None


def parse_offset(text: str) -> Offset:
    """Read an offset like `+1d`, `7d`, `2w`, `+1m`, `-4h`."""
    offset = _offset(text.strip().lower())
    if offset is None:
        raise InputError(f"cannot read {text!r} as an offset; use a number and a unit, e.g. +1d, 7d, 2w, 1m, 4h")
    return offset


def _offset(text: str) -> Offset | None:
    """A sign, 1 to 4 digits, spaces, a unit: read by hand because `dealflow today` reads every parked deal's
    interval and loads no `re` (see dealflow/__init__.py)."""
    sign = text[:1] if text[:1] in ("+", "-") else ""
    amount, unit = text[len(sign):-1].rstrip(), text[-1:]
    if not unit or unit not in "hdwmy" or not amount.isdecimal() or len(amount) > 4:
        return None
    return Offset(-int(amount) if sign == "-" else int(amount), unit)


def parse_option(text: str | None, ahead: bool | None = None) -> Moment | None:
    """A WHEN option of a command: read by `parse`, None when not given."""
    return None if text is None else parse(text, ahead=ahead)


def parse(text: str, now: datetime | None = None, ahead: bool | None = None) -> Moment:
    """Read a WHEN; anything not in the accepted forms is an error, nothing is guessed.

    `ahead` says which year a date typed without one (`5 Jan`) falls in: True for a plan (`--due`), the next
    such day from today on; False for a record (`--at`), the last such day up to today; None, this year's."""
    now = now or clock.now()
    cleaned = " ".join(str(text).split())
    lowered = cleaned.casefold()
    if not lowered:
        raise InputError(f"a date is required; use {ACCEPTED}")
    readers = ((_relative, lowered), (_day_and_time, lowered), (_iso, cleaned), (_dotted, lowered),
               (lambda source, now: _free_form(source, now, ahead), cleaned))
    for reader, source in readers:
        moment = reader(source, now)
        if moment is not None:
            check_range(text, moment)  # before localizing too: far out of range, a time zone could overflow
            if isinstance(moment, datetime):
                moment = clock.localize(moment)
                check_range(text, moment)  # the local day is the one stored: 2999-12-31T23:30-05:00 is in 3000
            return moment
    raise InputError(f"cannot read {text!r} as a date; use {ACCEPTED}")


def check_range(text: str, moment: Moment) -> None:
    """Refuse a moment outside FIRST_DAY..LAST_DAY, naming the text it was read from."""
    if not FIRST_DAY <= day_of(moment) <= LAST_DAY:
        raise InputError(f"{text!r} is out of range: dates go from {RANGE}")


def _relative(text: str, now: datetime) -> Moment | None:
    today = now.date()
    if text == "now":
        return now
    if text in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[text])
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if text == "eow":
        return today + timedelta(days=6 - today.weekday())
    if text == "eom":
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return next_month - timedelta(days=1)
    offset = _offset(text)
    if offset is not None:
        return offset.apply(now if offset.unit == "h" else today)
    if _TIME.match(text):
        return _at_time(today, text)
    return None


def _day_and_time(text: str, now: datetime) -> Moment | None:
    head, _, tail = text.rpartition(" ")
    if not head or not _TIME.match(tail):
        return None
    day = _relative(head, now)
    if type(day) is not date:
        return None
    return _at_time(day, tail)


def _at_time(day: date, hhmm: str) -> datetime:
    """The time of day on `day`, naive: `parse` gives it the local time zone once its range is checked."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if hours > 23 or minutes > 59:
        raise InputError(f"{hhmm!r} is not a time of day; use HH:MM from 00:00 to 23:59")
    return datetime.combine(day, time(hours, minutes))


def _iso(text: str, now: datetime) -> Moment | None:
    """An ISO date, or datetime (naive: `parse` gives it the local time zone once its range is checked)."""
    if not _ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a valid date; use YYYY-MM-DD or YYYY-MM-DD HH:MM") from None


def _dotted(text: str, now: datetime) -> Moment | None:
    """`DD.MM.YYYY [HH:MM]`: a dotted date is day-first wherever it is written so (and in imports), so
    `01.02.2027` is the 1st of February. Only the year in full: `01.02.27` would be a guess at the century."""
    match = _DOTTED.match(text)
    if match is None:
        return None
    day, month, year, clock_time = match.groups()
    if len(year) != 4:
        raise InputError(f"{text!r}: write the year in full (DD.MM.YYYY), or the date as YYYY-MM-DD")
    try:
        moment = date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(f"{text!r} is not a valid date; a dotted date is DD.MM.YYYY (day first), "
                         "or use YYYY-MM-DD") from None
    return _at_time(moment, clock_time) if clock_time else moment


def _free_form(text: str, now: datetime, ahead: bool | None) -> Moment | None:
    """Dates python-dateutil reads the same whichever way it is asked: day or month first, and whatever
    it would fill in by itself. Only the year may be left out (see `_year_less`); nothing else is guessed.
    A datetime comes back without a time zone unless the text named one: `parse` gives it the local one."""
    has_letters = any(len(word) >= 3 for word in _WORD.findall(text))
    numbers = _DIGIT_RUN.findall(text)
    if not numbers or (not has_letters and len(numbers) < 3):
        return None
    from dateutil import parser  # heavy: only for free-form dates

    # Two leap years, so that `29 Feb` reads whatever today's year is; a year that differs between them was
    # not typed. Day, month and time differ too, to see which of them were typed.
    defaults = (datetime(2000, 1, 1, 0, 0), datetime(2004, 2, 28, 13, 0))
    try:
        readings = [parser.parse(text, default=default, dayfirst=first, fuzzy=False)
                    for first in (False, True) for default in defaults]
    except (ValueError, OverflowError, TypeError):
        return None
    if len({(reading.month, reading.day) for reading in readings[:2]}) > 1:
        return None  # the day or month was not typed: "Dec 2026" is not a date
    year_typed = readings[0].year == readings[1].year
    if len({reading.date() if year_typed else (reading.month, reading.day) for reading in readings}) > 1:
        raise InputError(f"{text!r} could be read two ways; write it as YYYY-MM-DD")
    reading = readings[0]
    if not year_typed:
        reading = reading.replace(year=_year_less(text, reading.date(), now.date(), ahead).year)
    _check_weekday(text, reading.date())
    timed = len({(r.hour, r.minute) for r in readings}) == 1  # the default time was overridden: a time was typed
    return reading if reading.tzinfo is not None or timed else reading.date()


def _year_less(text: str, day: date, today: date, ahead: bool | None) -> date:
    """The year of a day typed without one: from today on for a plan (`ahead`), up to today for a record, this
    year when neither is known. Today itself is both. A 29 February looks up to eight years away (2096 → 2104)."""
    step = -1 if ahead is False else 1
    years = [today.year] if ahead is None else range(today.year, today.year + 9 * step, step)
    for year in years:
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 February outside a leap year
            continue
        if ahead is None or (today <= candidate if ahead else candidate <= today):
            return candidate
    raise InputError(f"{text!r} is not a day of {today.year}; write the date with its year, as YYYY-MM-DD")


def _check_weekday(text: str, day: date) -> None:
    """`fri 9` is not silently the 9th: a weekday written beside a date must be that date's weekday."""
    for word in _WORD.findall(text.casefold()):
        if word in _WEEKDAYS and _WEEKDAYS[word] != day.weekday():
            raise InputError(f"{text!r}: {day.isoformat()} is not a {word}; write the date as YYYY-MM-DD")


def event_moment(at: Moment | None) -> Moment:
    """When an event happened: now, or a back-dated `--at` (a whole day stays a day).

    Never in the future: `--at` records what has happened; plans are tasks with a due date.
    """
    now = clock.now()
    if at is None:
        return now
    if earlier(now, at):
        raise InputError(f"--at {to_text(at)} is in the future; --at back-dates an event that has happened")
    return at


def event_text(at: Moment | None) -> str:
    """`event_moment` as stored."""
    return to_text(event_moment(at))


def as_datetime(moment: Moment) -> datetime:
    """A datetime for a moment; a whole day counts from its local midnight."""
    if isinstance(moment, datetime):
        return moment
    return clock.localize(datetime.combine(moment, time(0, 0)))


def day_of(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def earlier(moment: Moment, than: Moment) -> bool:
    """Whether `moment` comes before `than`; a whole day against an instant is compared as a day, so an event
    dated `today` is never before something that happened at 09:00 today."""
    if type(moment) is not type(than):
        moment, than = day_of(moment), day_of(than)
    return moment < than


def to_text(moment: Moment) -> str:
    """ISO 8601 as stored: `YYYY-MM-DD` for a day, seconds and offset for an instant."""
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


def from_text(text: str) -> Moment:
    """Read a stored ISO value back."""
    if len(text) == 10:
        return date.fromisoformat(text)
    return clock.localize(datetime.fromisoformat(text))
