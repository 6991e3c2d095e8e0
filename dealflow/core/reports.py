"""Reports: where deals come from, how fast they move, where and why they drop out, what money comes in.

Every report is computed in SQL over the stored facts (deals, stage history, activities, tasks,
invoices, payments): GROUP BY and window functions, so that a book of 100 000 deals answers at once.
Money is never summed across currencies: every money report has a `currency` column and a row (or a
set of rows) per currency.

Periods are whole days, inclusive at both ends. A stored instant belongs to the day written in it
(`2026-11-22T23:30:00+03:00` is on 2026-11-22, the seller's own day), so the bounds are plain text
comparisons that use the indexes. Durations are fractional days from `julianday()` differences.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dealflow.core import clock, when
from dealflow.core.book import Book
from dealflow.core.errors import InputError

NONE_LABEL = "(none)"  # the group of deals without an owner or source
UNSCHEDULED = "unscheduled"  # the forecast month of deals without an expected close date
WON_ROW = "won"
CYCLE_ROW = "cycle"
KINDS = ("call", "email", "meeting", "message", "note")

FUNNEL_COLUMNS = ["stage", "reached", "conversion_pct", "open", "open_value", "lost", "lost_value",
                  "win_rate_pct", "currency"]
VELOCITY_COLUMNS = ["stage", "visits", "avg_days", "median_days", "max_days", "over_limit", "open", "open_avg_days"]
LOSSES_COLUMNS = ["stage", "reason", "count", "value", "currency"]
FORECAST_COLUMNS = ["deals", "value", "weighted", "currency"]
SOURCES_COLUMNS = ["source", "leads", "open", "won", "lost", "win_rate_pct", "won_value", "currency"]
REVENUE_COLUMNS = ["period", "invoiced", "paid", "currency"]
ACTIVITY_COLUMNS = ["period", *KINDS, "tasks_done", "on_time", "late"]


@dataclass(frozen=True)
class Period:
    """Whole days from `since` to `until`, both inclusive; either end may be open."""

    since: str | None = None  # YYYY-MM-DD, the first day in
    before: str | None = None  # YYYY-MM-DD, the first day after `until`

    def where(self, column: str) -> str:
        """A SQL condition that `column` (ISO text, a day or an instant) falls in the period."""
        parts = ["1"]
        if self.since:
            parts.append(f"{column} >= :since")
        if self.before:
            parts.append(f"{column} < :before")
        return " AND ".join(parts)

    def params(self) -> dict[str, str | None]:
        return {"since": self.since, "before": self.before}


def period(since: when.Moment | None = None, until: when.Moment | None = None) -> Period:
    """The period of `--since WHEN --until WHEN` (a time of day, if given, is ignored: reports count days)."""
    first = when.day_of(since) if since is not None else None
    last = when.day_of(until) if until is not None else None
    if first and last and first > last:
        raise InputError(f"--since {first} is after --until {last}; give the earlier day first")
    before = (last + timedelta(days=1)).isoformat() if last and last < date.max else None  # 9999-12-31: no end
    return Period(first.isoformat() if first else None, before)


def _choice(value: str | None, allowed: tuple[str | None, ...], option: str) -> str | None:
    if value not in allowed:
        names = " or ".join(a for a in allowed if a)
        raise InputError(f"unknown {option} {value!r}; use {names}")
    return value


def _group(column: str) -> str:
    return f"coalesce({column}, '{NONE_LABEL}')"


def _named(rows: list[dict[str, Any]], by: str | None) -> list[dict[str, Any]]:
    """Rows with their SQL group `grp` renamed to the `--by` column (or dropped without one)."""
    named = []
    for row in rows:
        group = row.pop("grp")
        named.append({by: group, **row} if by else row)
    return named


def _pct(part: str, whole: str) -> str:
    """SQL for `part` as a percentage of `whole`, one decimal, NULL when `whole` is 0."""
    return f"CASE WHEN ({whole}) > 0 THEN round(100.0 * ({part}) / ({whole}), 1) END"


# --- funnel ---------------------------------------------------------------------------------------------

# Per deal of the cohort, the furthest stage it has been in: the highest position among the stages of its
# history and its current stage; a won deal has reached every stage. Deals are then counted in buckets
# (group, currency, furthest stage, status, current stage), so the per-stage sums read a few rows only.
_FUNNEL_SQL = """
WITH deal AS (
    SELECT {grp} AS grp, d.currency, d.status, d.stage_id, d.value,
           CASE WHEN d.status = 'won' THEN 1 << 40
                ELSE max(cs.position, coalesce((SELECT max(hs.position) FROM stage_history h
                                                JOIN stages hs ON hs.id = h.to_stage_id
                                                WHERE h.deal_id = d.id), cs.position)) END AS top
    FROM deals d NOT INDEXED JOIN stages cs ON cs.id = d.stage_id  -- a scan beats index lookups here
    WHERE {period}
),
bucket AS (
    SELECT grp, currency, status, stage_id, top, count(*) AS n, sum(value) AS v
    FROM deal GROUP BY grp, currency, status, stage_id, top
),
funnel AS (SELECT DISTINCT grp, currency FROM bucket),
step AS (
    SELECT f.grp, f.currency, s.position, s.name AS stage,
           (SELECT coalesce(sum(n), 0) FROM bucket b
             WHERE b.grp = f.grp AND b.currency = f.currency AND b.top >= s.position) AS reached,
           (SELECT coalesce(sum(n), 0) FROM bucket b WHERE b.grp = f.grp AND b.currency = f.currency
             AND b.status = 'open' AND b.stage_id = s.id) AS open,
           (SELECT coalesce(sum(v), 0) FROM bucket b WHERE b.grp = f.grp AND b.currency = f.currency
             AND b.status = 'open' AND b.stage_id = s.id) AS open_value,
           (SELECT coalesce(sum(n), 0) FROM bucket b WHERE b.grp = f.grp AND b.currency = f.currency
             AND b.status = 'lost' AND b.stage_id = s.id) AS lost,
           (SELECT coalesce(sum(v), 0) FROM bucket b WHERE b.grp = f.grp AND b.currency = f.currency
             AND b.status = 'lost' AND b.stage_id = s.id) AS lost_value,
           NULL AS win_rate_pct
    FROM funnel f CROSS JOIN stages s WHERE s.removed_at IS NULL
    UNION ALL
    SELECT grp, currency, 1 << 40, '{won}',
           sum(CASE WHEN status = 'won' THEN n ELSE 0 END), NULL,
           sum(CASE WHEN status = 'won' THEN v ELSE 0 END),
           sum(CASE WHEN status = 'lost' THEN n ELSE 0 END),
           sum(CASE WHEN status = 'lost' THEN v ELSE 0 END),
           {win_rate}
    FROM bucket GROUP BY grp, currency
)
SELECT grp, stage, reached,
       CASE WHEN lag(reached) OVER w IS NULL THEN 100.0
            WHEN lag(reached) OVER w > 0 THEN round(100.0 * reached / lag(reached) OVER w, 1) END
            AS conversion_pct,
       open, open_value, lost, lost_value, win_rate_pct, currency
FROM step
WINDOW w AS (PARTITION BY grp, currency ORDER BY position)
ORDER BY fold(grp), grp, currency, position
"""


def funnel(book: Book, *, by: str | None = None, since: when.Moment | None = None,
           until: when.Moment | None = None) -> list[dict[str, Any]]:
    """The funnel of the deals created in the period: per stage how many got that far, and the won row.

    One funnel per currency (and per owner or source with `by`): counts and values of one funnel are
    always of the same money, so a funnel never mixes roubles with dollars.
    """
    _choice(by, (None, "owner", "source"), "--by")
    span = period(since, until)
    sql = _FUNNEL_SQL.format(grp=_group(f"d.{by}") if by else "''", period=span.where("d.created_at"),
                             won=WON_ROW, win_rate=_pct("sum(CASE WHEN status = 'won' THEN n ELSE 0 END)",
                                                        "sum(CASE WHEN status IN ('won', 'lost') THEN n END)"))
    rows = _named(book.rows(sql, span.params()), by)
    for row in rows:
        if row["stage"] == WON_ROW:
            row["open"] = None
    return rows


# --- velocity -------------------------------------------------------------------------------------------

# A visit is a history entry into a stage (created, moved, reopened) up to the deal's next history entry
# (moved on, won or lost), stored as the entry's `left_at`; the visit counts in the period in which it
# ended. Its length is in whole seconds (instants are stored to the second). The index
# `stage_history_visits` holds exactly the ended visits with their lengths, per stage in order of length:
# the scan reads nothing else, and each stage's lengths come back as one list.
_VISITS_SQL = """
SELECT to_stage_id AS stage_id, group_concat({seconds}) AS seconds
FROM stage_history WHERE left_at IS NOT NULL AND {period}
GROUP BY to_stage_id
UNION ALL  -- the whole cycle, filed under stage id {cycle_id}
SELECT {cycle_id}, group_concat({cycle_seconds}) FROM deals WHERE status = 'won' AND {cycle_period}
"""
# Per stage in pipeline order: its limit and the deals in it now; then the cycle row's open deals (all).
_VELOCITY_NOW_SQL = """
WITH now_in AS MATERIALIZED (  -- read three times below, computed once
    SELECT stage_id, count(*) AS open, avg(julianday(:now) - julianday(stage_entered_at)) AS open_days,
           avg(julianday(:now) - julianday(created_at)) AS open_age
    FROM deals WHERE status = 'open' GROUP BY stage_id
)
SELECT s.position AS place, s.id AS stage_id, s.name AS stage, s.max_days, coalesce(o.open, 0) AS open,
       round(o.open_days, 1) AS open_avg_days
FROM stages s LEFT JOIN now_in o ON o.stage_id = s.id WHERE s.removed_at IS NULL
UNION ALL
SELECT 1 << 40, {cycle_id}, '{cycle}', NULL, (SELECT coalesce(sum(open), 0) FROM now_in),
       (SELECT round(sum(open_age * open) / sum(open), 1) FROM now_in)
ORDER BY place
"""
DAY_SECONDS = 86_400
CYCLE_ID = -1  # the stage id the cycle row's lengths are filed under


def _seconds(later: str, earlier: str) -> str:
    """SQL for the whole seconds from the instant `earlier` to `later` (ISO text)."""
    return f"CAST(round((julianday({later}) - julianday({earlier})) * {DAY_SECONDS}) AS INTEGER)"


def _days(seconds: int, count: int = 1) -> float:
    """`seconds / count` as days, rounded half away from zero to one decimal, exactly (as SQL's round())."""
    tenths = (abs(seconds) * 20 + count * DAY_SECONDS) // (2 * count * DAY_SECONDS)
    return (tenths if seconds >= 0 else -tenths) / 10


def _visit_stats(lengths: list[int], limit_days: int | None) -> dict[str, Any]:
    """visits, avg/median/max days and visits longer than `limit_days` (0 without one), from sorted lengths."""
    count = len(lengths)
    over = count - bisect_right(lengths, limit_days * DAY_SECONDS) if limit_days is not None else 0
    if not count:
        return {"visits": 0, "avg_days": None, "median_days": None, "max_days": None, "over_limit": 0}
    middle = lengths[(count - 1) // 2] + lengths[count // 2]
    return {"visits": count, "avg_days": _days(sum(lengths), count), "median_days": _days(middle, 2),
            "max_days": _days(lengths[-1]), "over_limit": over}


def velocity(book: Book, *, since: when.Moment | None = None,
             until: when.Moment | None = None) -> list[dict[str, Any]]:
    """How long deals stay in each stage (visits that ended in the period), and how long a win takes.

    `open`/`open_avg_days` describe the deals in each stage now. The `cycle` row: deals won in the
    period, days from creation to the win; its `open` is every open deal and their average age.
    """
    span = period(since, until)
    sql = _VISITS_SQL.format(period=span.where("left_at"), seconds=_seconds("left_at", "at"),
                             cycle_seconds=_seconds("closed_at", "created_at"), cycle_period=span.where("closed_at"),
                             cycle_id=CYCLE_ID)
    # A whole day counts from midnight UTC in SQL, so a deal won on the day it was created (`won --at yesterday`)
    # would take less than no time: such a length is 0.
    lengths = {row["stage_id"]: sorted(max(0, int(seconds)) for seconds in row["seconds"].split(","))
               for row in book.rows(sql, span.params()) if row["seconds"]}
    rows = []
    for row in book.rows(_VELOCITY_NOW_SQL.format(cycle=CYCLE_ROW, cycle_id=CYCLE_ID), {"now": when.to_text(clock.now())}):
        stats = _visit_stats(lengths.get(row["stage_id"], []), row["max_days"])
        if row["stage_id"] == CYCLE_ID:
            stats["over_limit"] = None  # a whole sale has no limit
        rows.append({"stage": row["stage"], **stats, "open": row["open"], "open_avg_days": row["open_avg_days"]})
    return rows


# --- losses ---------------------------------------------------------------------------------------------


def losses(book: Book, *, since: when.Moment | None = None,
           until: when.Moment | None = None) -> list[dict[str, Any]]:
    """Deals lost in the period, by the stage they were lost from and the reason given."""
    span = period(since, until)
    return book.rows(
        f"""SELECT s.name AS stage, coalesce(d.lost_reason, '{NONE_LABEL}') AS reason, count(*) AS count,
                   sum(d.value) AS value, d.currency
            FROM deals d JOIN stages s ON s.id = d.stage_id
            WHERE d.status = 'lost' AND {span.where("d.closed_at")}
            GROUP BY s.id, d.lost_reason, d.currency
            ORDER BY s.position, count(*) DESC, fold(reason), d.currency""", span.params())


# --- forecast -------------------------------------------------------------------------------------------

_FORECAST_KEYS = {
    "month": (f"coalesce(substr(d.expected_close, 1, 7), '{UNSCHEDULED}')", "d.expected_close IS NULL, month"),
    "stage": ("s.name", "min(s.position)"),
}


def forecast(book: Book, *, by: str = "month", since: when.Moment | None = None,
             until: when.Moment | None = None) -> list[dict[str, Any]]:
    """Open deals by expected close month (or by stage): their value, and weighted by probability.

    weighted = Σ value × probability / 100, the deal's own probability else its stage's; summed exactly
    in minor units and rounded half up to the cent once per row. With a period, only the deals expected
    to close in it (deals without a date are then left out).
    """
    _choice(by, tuple(_FORECAST_KEYS), "--by")
    key, order = _FORECAST_KEYS[by]
    span = period(since, until)
    return book.rows(
        f"""SELECT {key} AS {by}, count(*) AS deals, sum(d.value) AS value,
                   (sum(d.value * coalesce(d.probability, s.probability)) + 50) / 100 AS weighted, d.currency
            FROM deals d JOIN stages s ON s.id = d.stage_id
            WHERE d.status = 'open' AND {span.where("d.expected_close")}
            GROUP BY {by}, d.currency
            ORDER BY {order}, d.currency""", span.params())


# --- sources --------------------------------------------------------------------------------------------


def sources(book: Book, *, since: when.Moment | None = None,
            until: when.Moment | None = None) -> list[dict[str, Any]]:
    """Where the deals created in the period came from, and how each source converts; busiest first."""
    span = period(since, until)
    return book.rows(
        f"""SELECT source, leads, open, won, lost, {_pct("won", "won + lost")} AS win_rate_pct, won_value, currency
            FROM (SELECT {_group("d.source")} AS source, count(*) AS leads, sum(d.status = 'open') AS open,
                         sum(d.status = 'won') AS won, sum(d.status = 'lost') AS lost,
                         sum(CASE WHEN d.status = 'won' THEN d.value ELSE 0 END) AS won_value, d.currency
                  FROM deals d WHERE {span.where("d.created_at")}
                  GROUP BY d.source, d.currency)
            ORDER BY leads DESC, fold(source), currency""", span.params())


# --- revenue --------------------------------------------------------------------------------------------


def _period_of(column: str, by: str) -> str:
    """SQL for the month (`2026-11`) or ISO week (`2026-W47`) of an ISO day or instant."""
    day = f"substr({column}, 1, 10)"
    if by == "month":
        return f"substr({column}, 1, 7)"
    # The ISO week is the one of the week's Thursday: 3 days back, then forward to a Thursday.
    thursday = f"date({day}, '-3 days', 'weekday 4')"
    return (f"strftime('%Y', {thursday}) || '-W' || "
            f"printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1)")


def revenue(book: Book, *, by: str = "month", since: when.Moment | None = None,
            until: when.Moment | None = None) -> list[dict[str, Any]]:
    """Money invoiced (invoices not void, by issue day) and paid (payments, by payment day) per period."""
    _choice(by, ("month", "week"), "--by")
    span = period(since, until)
    return book.rows(
        f"""SELECT period, sum(invoiced) AS invoiced, sum(paid) AS paid, currency
            FROM (SELECT {_period_of("i.issued", by)} AS period, i.currency, i.total AS invoiced, 0 AS paid
                  FROM invoices i WHERE i.voided_at IS NULL AND {span.where("i.issued")}
                  UNION ALL
                  SELECT {_period_of("p.at", by)}, i.currency, 0, p.amount
                  FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE {span.where("p.at")})
            GROUP BY period, currency
            ORDER BY period, currency""", span.params())


# --- activity -------------------------------------------------------------------------------------------


def activity(book: Book, *, by: str | None = None, since: when.Moment | None = None,
             until: when.Moment | None = None) -> list[dict[str, Any]]:
    """Per month: activities logged of each kind, and tasks done, on time (by their due day) or late.

    With `by="owner"`, per owner too: an activity's own owner, else its deal's; a task's deal's owner.
    """
    _choice(by, (None, "owner"), "--by")
    span = period(since, until)
    kinds = ", ".join(f"sum(CASE kind WHEN '{kind}' THEN n ELSE 0 END) AS {kind}" for kind in KINDS)
    # Activities are counted per month and kind first, in the order of the index `activities_by_month`
    # (grouping by the constant '' too would lose it); the deal is joined only when its owner is wanted.
    activity_owner = "LEFT JOIN deals d ON d.id = a.deal_id" if by else ""
    rows = book.rows(
        f"""SELECT grp, period, {kinds}, sum(done) AS tasks_done, sum(on_time) AS on_time,
                   sum(done) - sum(on_time) AS late
            FROM (SELECT {_group("coalesce(a.owner, d.owner)") if by else "''"} AS grp,
                         substr(a.at, 1, 7) AS period, a.kind, count(*) AS n, 0 AS done, 0 AS on_time
                  FROM activities a {activity_owner} WHERE {span.where("a.at")}
                  GROUP BY {"grp, " if by else ""}period, a.kind
                  UNION ALL
                  SELECT {_group("d.owner") if by else "''"}, substr(t.done_at, 1, 7), NULL, 0, 1,
                         substr(t.done_at, 1, 10) <= substr(t.due, 1, 10)
                  FROM tasks t LEFT JOIN deals d ON d.id = t.deal_id
                  WHERE t.done_at IS NOT NULL AND {span.where("t.done_at")})
            GROUP BY grp, period
            ORDER BY fold(grp), grp, period""", span.params())
    return _named(rows, by)
