"""Small normalizations shared by contacts, deals and imports."""

from __future__ import annotations

import re


def digits(phone: str | None) -> str | None:
    """The digits of a phone number: `+7 (916) 000-00-01` → `79160000001`."""
    found = re.sub(r"\D", "", phone or "")
    return found or None


def clean(text: str | None) -> str | None:
    """Trimmed text, or None for blank."""
    stripped = (text or "").strip()
    return stripped or None


def tags_join(tags: list[str]) -> str | None:
    """Store tags as one comma-separated field, each once, in the order given."""
    seen: list[str] = []
    for tag in tags:
        for part in tag.split(","):
            part = part.strip()
            if part and part.casefold() not in (known.casefold() for known in seen):
                seen.append(part)
    return ",".join(seen) or None


def tags_split(stored: str | None) -> list[str]:
    return [tag for tag in (stored or "").split(",") if tag]


TAG_MATCH = "(',' || fold({column}) || ',') LIKE '%,' || ? || ',%'"
"""SQL condition: the comma-separated `column` holds a tag (bind the casefolded tag)."""
