"""Report commands: funnel, velocity, losses, forecast, sources, revenue, activity."""

from __future__ import annotations

from typing import Annotated

import typer

from dealflow import render
from dealflow.cli.output import Fmt, FormatOpt, NoHeaderOpt, book, moment, show, sub_app
from dealflow.core import reports

report_app = sub_app("Reports: where deals come from, where they slow down and drop out, what money comes in.")

SinceOpt = Annotated[str | None, typer.Option("--since", metavar="WHEN",
                                              help="From this day on, inclusive (default: all time).")]
UntilOpt = Annotated[str | None, typer.Option("--until", metavar="WHEN",
                                              help="Up to this day, inclusive (default: all time).")]
HEADERS = {"conversion_pct": "conv %", "win_rate_pct": "win rate", "avg_days": "avg",
           "median_days": "median", "max_days": "max", "open_avg_days": "open avg"}  # days, all of them


def _period(since: str | None, until: str | None) -> dict[str, object]:
    """A report's --since and --until. A day typed without a year (`5 Jan`) is this year's: a period may lie
    behind (revenue) or ahead (forecast), so neither the last nor the next such day is meant."""
    return {"since": moment(since, ahead=None), "until": moment(until, ahead=None)}


def _show(columns: list[str], rows: list[dict], fmt: Fmt, no_header: bool, title: str, empty: str,
          display: list[str] | None = None) -> None:
    show(render.Table(columns, rows, title=title, empty=empty, headers=HEADERS, display=display), fmt, no_header)


@report_app.command("funnel")
def funnel(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option("--by", metavar="owner|source", help="A funnel per owner or per source.")] = None,
    since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False,
) -> None:
    """How far the deals created in the period got: reached, conversion, open and lost per stage, win rate."""
    rows = reports.funnel(book(ctx), by=by, **_period(since, until))
    if render.resolve_format(fmt.value) == "table":
        render.draw_funnel(rows, by)
    else:
        show(render.Table(([by] if by else []) + reports.FUNNEL_COLUMNS, rows), fmt, no_header)


@report_app.command("velocity")
def velocity(ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto,
             no_header: NoHeaderOpt = False) -> None:
    """Days deals spend in each stage (visits ended in the period), stages' limits overrun, days to a win."""
    rows = reports.velocity(book(ctx), **_period(since, until))
    _show(reports.VELOCITY_COLUMNS, rows, fmt, no_header, "Days in each stage", "No stages.")


@report_app.command("losses")
def losses(ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto,
           no_header: NoHeaderOpt = False) -> None:
    """Deals lost in the period: the stage they were lost from and why."""
    rows = reports.losses(book(ctx), **_period(since, until))
    _show(reports.LOSSES_COLUMNS, rows, fmt, no_header, "Lost deals by stage and reason", "No deals were lost.",
          display=["stage", "reason", "count", "value"])


@report_app.command("forecast")
def forecast(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", metavar="month|stage", help="Group by expected close month or by stage.")] = "month",
    since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False,
) -> None:
    """Open deals by expected close month (or stage): value, and value weighted by probability."""
    rows = reports.forecast(book(ctx), by=by, **_period(since, until))
    _show([by, *reports.FORECAST_COLUMNS], rows, fmt, no_header, f"Forecast by {by}", "No open deals.",
          display=[by, "deals", "value", "weighted"])


@report_app.command("sources")
def sources(ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto,
            no_header: NoHeaderOpt = False) -> None:
    """Where the deals created in the period came from, and how each source converts."""
    rows = reports.sources(book(ctx), **_period(since, until))
    _show(reports.SOURCES_COLUMNS, rows, fmt, no_header, "Lead sources", "No deals were created in this period.",
          display=reports.SOURCES_COLUMNS[:-1])


@report_app.command("revenue")
def revenue(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", metavar="month|week", help="Per month (2026-11) or ISO week (2026-W47).")] = "month",
    since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False,
) -> None:
    """Money invoiced and paid per month or week."""
    rows = reports.revenue(book(ctx), by=by, **_period(since, until))
    _show(reports.REVENUE_COLUMNS, rows, fmt, no_header, f"Invoiced and paid by {by}", "No invoices or payments.",
          display=["period", "invoiced", "paid"])


@report_app.command("activity")
def activity(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option("--by", metavar="owner", help="A row per owner and month.")] = None,
    since: SinceOpt = None, until: UntilOpt = None, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False,
) -> None:
    """Activities logged per kind and tasks done on time or late, per month."""
    rows = reports.activity(book(ctx), by=by, **_period(since, until))
    _show(([by] if by else []) + reports.ACTIVITY_COLUMNS, rows, fmt, no_header, "Activity by month",
          "No activities or finished tasks in this period.")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
