"""The one clock. Every "now" comes from here so that `DEALFLOW_NOW` pins time for scripts and tests."""

from __future__ import annotations

import os
from datetime import date, datetime

from dealflow.core.errors import InputError

ENV = "DEALFLOW_NOW"


def now() -> datetime:
    """The current instant, timezone-aware, to the second.

    `DEALFLOW_NOW` may be an ISO date (meaning midnight local time) or datetime (naive means local time; one
    with an offset is that instant, seen from here: "today" is always the local day).
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
    """The moment in local time: a naive one taken as local (DST-correct for that date), an aware one converted.

    Converting keeps one offset per book, so a moment typed or imported with another offset falls on the
    local day (the seller's "today") and stored instants compare correctly as text.
    """
    return moment.astimezone()
