"""The one clock. Every "now" comes from here so that `DEALFLOW_NOW` pins time for scripts and tests."""

from __future__ import annotations

import os
from datetime import date, datetime

from dealflow.core.errors import InputError

ENV = "DEALFLOW_NOW"


def now() -> datetime:
    """The current instant, timezone-aware, to the second.

    `DEALFLOW_NOW` may be an ISO date (meaning midnight local time) or datetime (naive means local time).
    """
    pinned = os.environ.get(ENV, "").strip()
    if not pinned:
        return datetime.now().astimezone().replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        raise InputError(
            f"{ENV}={pinned!r} is not an ISO date or datetime; use e.g. 2026-11-22 or 2026-11-22T09:30"
        ) from None
    return localize(moment).replace(microsecond=0)


def today() -> date:
    return now().date()


def localize(moment: datetime) -> datetime:
    """Attach the local time zone to a naive datetime (DST-correct for that date); keep aware ones."""
    return moment if moment.tzinfo else moment.astimezone()
