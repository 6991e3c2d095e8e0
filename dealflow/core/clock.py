"""The one clock. Every "now" comes from here so that `DEALFLOW_NOW` pins time for scripts and tests."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

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

    An offset is a whole number of minutes, as ISO 8601 writes one: before standard time zones, local time was
    the local mean time (Moscow until 1919: +02:30:17), which is kept to the nearest minute. A naive moment
    (a time typed) keeps its wall clock, and so its day; an aware one (typed with an offset, or read back from
    storage) keeps its instant, so that what is stored reads back the same.
    """
    local = moment.astimezone()
    offset = local.utcoffset()
    if offset.seconds % 60:
        whole = timezone(timedelta(minutes=round(offset.total_seconds() / 60)))
        local = local.astimezone(whole) if moment.tzinfo else local.replace(tzinfo=whole)
    return local
