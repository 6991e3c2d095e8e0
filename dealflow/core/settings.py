"""Settings kept in the book (`settings` table): known keys, their defaults and validation."""

from __future__ import annotations

from dealflow.core.book import Book
from dealflow.core.errors import InputError, NotFound
from dealflow.core.text import Regex

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CHANNELS = ("email", "call", "meeting", "message")
_DECIMAL = Regex(r"\d+(\.\d+)?")


class Setting:
    """A known setting: its key, its default as stored text, what it does, and how its text is read."""

    __slots__ = ("key", "default", "help", "read")

    def __init__(self, key: str, default: str | None, help: str, read: Callable[[str], Any]):
        self.key, self.default, self.help, self.read = key, default, help, read


def _text(value: str) -> str:
    if not value.strip():
        raise InputError("the value cannot be empty; use `config unset` to clear it")
    return value.strip()


def _currency(value: str) -> str:
    from dealflow.core.money import normalize_currency

    return normalize_currency(value)


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """A reader of whole numbers from `low` to `high`: the bounds keep date arithmetic in range."""

    def read(value: str) -> int:
        number = value.strip()
        if not (number.isascii() and number.isdigit()) or not low <= int(number) <= high:
            raise InputError(f"{value!r} is not a whole number from {low} to {high}")
        return int(number)

    return read


def _bool(value: str) -> bool:
    words = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}
    if value.strip().lower() not in words:
        raise InputError(f"{value!r} is not true or false")
    return words[value.strip().lower()]


def _offset(value: str):
    from dealflow.core.when import parse_offset

    offset = parse_offset(value)
    if offset.amount <= 0 or offset.unit == "h":
        raise InputError(f"{value!r}: the interval must be a positive number of days, weeks or months")
    return offset


def parse_tiers(value: str) -> list[tuple[int, float]]:
    """`0:0, 100000:0.5, 500000:1` → [(threshold in minor units, coefficient)], ascending from 0."""
    from dealflow.core.money import parse_amount

    tiers = []
    for part in value.split(","):
        threshold, sep, coefficient = part.strip().rpartition(":")
        if not sep or not _DECIMAL.fullmatch(coefficient.strip()):
            raise InputError(f"cannot read tier {part.strip()!r}; write THRESHOLD:COEFFICIENT, e.g. 100000:0.5")
        amount, _ = parse_amount(threshold)
        tiers.append((amount, float(coefficient)))
    tiers.sort()
    if not tiers or tiers[0][0] != 0:
        raise InputError("the tiers must start at 0, e.g. 0:0,100000:0.5,500000:1,2000000:1.5")
    if len({threshold for threshold, _ in tiers}) != len(tiers):
        raise InputError("two tiers have the same threshold")
    return tiers


def _channels(value: str) -> list[str]:
    channels = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [channel for channel in channels if channel not in CHANNELS]
    if not channels or unknown:
        raise InputError(f"channels must be a comma-separated list of {', '.join(CHANNELS)}")
    return channels


SETTINGS = {
    setting.key: setting
    for setting in [
        Setting("currency", "USD", "default currency of new deals", _currency),
        Setting("owner", None, "owner of new deals (default: your OS user name)", _text),
        Setting("deal_lifetime_days", "90", "an open deal older than this is stale", _whole_number(1, 36500)),
        Setting("invoice.prefix", "INV-", "prefix of invoice numbers", _text),
        Setting("invoice.due_days", "14", "days from issue to due date", _whole_number(0, 3650)),
        Setting("won_on_payment", "true", "mark a deal won when its invoice is paid (no payment stage)", _bool),
        Setting("seller.name", None, "your name or company, printed on invoices", _text),
        Setting("seller.details", None, "address, tax and bank details for invoices", _text),
        Setting("cadence.base", "6", "touches before a decision for a coefficient of 1", _whole_number(1, 100)),
        Setting("cadence.tiers", "0:0,100000:0.5,500000:1,2000000:1.5",
                "deal value thresholds and their coefficients", parse_tiers),
        Setting("cadence.interval", "7d", "time between follow-up touches", _offset),
        Setting("cadence.channels", "email,call", "channels cycled per touch", _channels),
    ]
}


def known(key: str) -> Setting:
    if key not in SETTINGS:
        raise NotFound(f"unknown setting {key!r}; known settings: {', '.join(SETTINGS)}")
    return SETTINGS[key]


def _login_name() -> str:
    """The default owner. getpass is imported only when asked: most commands never need it."""
    import getpass

    return getpass.getuser()


def get(book: Book, key: str) -> Any:
    """The typed value of a setting (stored, else its default; None when neither)."""
    setting = known(key)
    stored = book.value("SELECT value FROM settings WHERE key = ?", (key,))
    raw = stored if stored is not None else setting.default
    if raw is None:
        return _login_name() if key == "owner" else None
    return setting.read(raw)


def set_value(book: Book, key: str, value: str) -> Any:
    """Validate and store; returns the typed value."""
    typed = known(key).read(value)
    with book.transaction():
        book.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, stored_form(typed)),
        )
    return typed


def stored_form(typed: Any) -> str:
    """The canonical text of a validated value: `руб` is kept as RUB, `YES` as true, `7d` as +7d."""
    if isinstance(typed, bool):
        return "true" if typed else "false"
    if isinstance(typed, list) and typed and isinstance(typed[0], tuple):
        from dealflow.core.money import to_plain

        return ",".join(f"{to_plain(threshold).removesuffix('.00')}:{coefficient:g}" for threshold, coefficient in typed)
    if isinstance(typed, list):
        return ",".join(typed)
    return str(typed)


def unset(book: Book, key: str) -> None:
    known(key)
    with book.transaction():
        book.conn.execute("DELETE FROM settings WHERE key = ?", (key,))


def listing(book: Book) -> list[dict[str, Any]]:
    """Every known setting with its value, whether it is the default, and what it does."""
    stored = dict(book.conn.execute("SELECT key, value FROM settings").fetchall())
    rows = []
    for key, setting in SETTINGS.items():
        value = stored.get(key, setting.default)
        if value is None and key == "owner":
            value = _login_name()
        rows.append({"key": key, "value": value, "default": key not in stored, "help": setting.help})
    return rows
