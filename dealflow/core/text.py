"""Small normalizations shared by contacts, deals and imports, and the lazily compiled `Regex`."""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any


class Regex:
    """A regular expression compiled on first use, then as quick as a compiled pattern.

    `import re` costs about 4 ms (it brings enum): nearly a tenth of `dealflow today`, which needs no regex on
    a plain book. Modules on today's path keep their patterns as `Regex` constants.
    The first call compiles the pattern and puts its methods on this object, so later calls skip `__getattr__`.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __getattr__(self, name: str) -> Any:
        import re

        compiled = re.compile(self.source)
        for method in ("match", "fullmatch", "search", "sub", "findall", "finditer", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def refuse_empty_filters(filters: dict[str, str | None], hints: dict[str, str], listed: str) -> None:
    """An empty filter is refused, not ignored: `--tag "$TAG"` with the variable unset would otherwise list
    every row, which reads as if they all matched. `hints` says what to give for each filter."""
    from dealflow.core.errors import InputError

    for name, value in filters.items():
        if value is not None and not value.strip():
            raise InputError(f"--{name} is empty; give {hints[name]}, or leave --{name} out for every {listed}")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 deal`, `0 deals`, `3 deals`: a count and its noun in the right number, for every message that counts;
    `plural` when the noun does not just take an s (`touch`, `touches`; `activity`, `activities`)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


_NOT_DIGITS = Regex(r"\D")  # a constant: an import calls `digits` twice a row
# An extension after a number: `доб. 123`, `доб.: 12`, `доп. 5`, `д. 5`, `вн. 7`, `ext. 12`, `x12`, `#12` (any case,
# after a comma or in brackets too: `(доб. 2)`).
_EXTENSION_WORDS = r"\(?\s*(?:доб(?:авочный)?|доп|вн(?:утренний)?|д|ext(?:ension)?|x|#)\.?:?\s*\d+\s*\)?\s*$"
_EXTENSION = Regex(r"(?i)(?<=[\d\s).-])[\s,]*" + _EXTENSION_WORDS)
_ONLY_EXTENSION = Regex(r"(?i)^\s*" + _EXTENSION_WORDS)


def without_extension(phone: str) -> str:
    """A phone's text without the extension at its end: `+7 495 111-22-33 доб. 123` → `+7 495 111-22-33`."""
    if "#" not in phone and phone.lower() == phone.upper():  # no letter and no `#`: no extension, and most
        return phone  # numbers skip the regex (an import asks twice a row)
    return _EXTENSION.sub("", phone)


def is_extension(text: str) -> bool:
    """Whether text is an extension alone (`доб. 5`): in a list of phones, the end of the number before it."""
    return _ONLY_EXTENSION.match(text) is not None


def digits(phone: str | None) -> str | None:
    """The digits of a phone number, its extension left out: `+7 (916) 000-00-01 доб. 12` → `79160000001`.

    An extension is dialled once the call is through, and a caller ID never shows it: counted in, its digits
    would shift the last ten that say whose a number is (see PHONE_KEY_SQL), so that nobody is found by the
    office's number and two people at one office get each other's calls. The stored phone keeps it."""
    found = _NOT_DIGITS.sub("", without_extension(phone or ""))
    return found or None


# Who a phone number belongs to is decided by its last ten digits: `+7 916 000-00-01` and `8 916 000 00 01`
# (a trunk prefix), `+44 7700 900123` and `07700 900123`, are one number. In SQL, over stored digits (indexed).
PHONE_KEY_SQL = "substr(phone_digits, -10)"
PHONE_KEY_LENGTH = 10


def phone_key(phone_digits: str) -> str:
    """The part of a number's digits that says whose it is (see PHONE_KEY_SQL)."""
    return phone_digits[-PHONE_KEY_LENGTH:]


def fold(text: str) -> str:
    """Text as names are matched and sorted: any case, and ё as е (`Петр` finds Пётр, as Russians type it).
    SQL has it as `fold()` (see book.py); a value bound against `fold(column)` must be folded by this too."""
    return text.casefold().replace("ё", "е")


def clean(text: str | None) -> str | None:
    """Trimmed text, or None for blank."""
    stripped = (text or "").strip()
    return stripped or None


def tags_join(tags: list[str]) -> str | None:
    """Store tags as one comma-separated field, each once (any case, ё as е: `теплый` is `тёплый`), in the
    order given, as first spelled."""
    seen: dict[str, str] = {}
    for tag in tags:
        for part in tag.split(","):
            part = part.strip()
            if part:
                seen.setdefault(fold(part), part)
    return ",".join(seen.values()) or None


def tags_edited(stored: str | None, add: list[str], remove: list[str]) -> str | None:
    """Stored tags with `remove` taken out (as `--tag` finds them: any case, ё as е) and `add` appended."""
    dropped = {fold(tag.strip()) for tag in remove}
    return tags_join([tag for tag in tags_split(stored) if fold(tag) not in dropped] + list(add))


def tags_split(stored: str | None) -> list[str]:
    return [tag for tag in (stored or "").split(",") if tag]


TAG_MATCH = "(',' || fold({column}) || ',') LIKE '%,' || ? || ',%'"
"""SQL condition: the comma-separated `column` holds a tag (bind the tag folded by `fold`)."""


def email_key(email: str) -> str:
    """An email as uniqueness and matching compare it (the `email_key` column): in any case, Cyrillic too
    (`Иван@почта.рф` is `иван@почта.рф`; SQLite's lower() folds only ASCII letters)."""
    return email.strip().casefold()
