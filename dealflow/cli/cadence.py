"""Follow-up cadences: `park`, `unpark`, `draft`, `cadence show|set`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.deals import DealArg, describe
from dealflow.cli.output import (AtOpt, Fmt, FormatOpt, NoHeaderOpt, NoteOpt, QuietOpt, book, confirm, moment,
                                 show, sub_app)
from dealflow.core import cadence, money
from dealflow.core.text import counted

cadence_app = sub_app("Follow-up cadences for clients who went to think about it.")

SHOW_COLUMNS = ["threshold", "currency", "coefficient", "touches", "base", "interval", "channels"]


def _touches(state: dict[str, Any]) -> str:
    """`3 touches, next email on 2026-11-29` — the tail of park's confirmation."""
    if not state["touches_total"]:
        return "no follow-ups for its tier: decide now (won or lost)"
    if state["next_due"] is None:
        return f"all {counted(state['touches_total'], 'touch', 'touches')} already done: decide now (won or lost)"
    return (f"{counted(state['touches_total'], 'touch', 'touches')} (coefficient {state['coefficient']:g}), "
            f"first {state['channel']} due {state['next_due']}")


def park(ctx: typer.Context, deal: DealArg, note: NoteOpt = None, at: AtOpt = None,
         coefficient: Annotated[str | None, typer.Option(
             help="How much the client is worth chasing, instead of the value's tier (needed for a deal in "
                  "another currency than the setting `currency`).")] = None,
         fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Park an undecided deal into a follow-up cadence sized by its value."""
    parked = cadence.park(book(ctx), deal, note=note, at=moment(at), coefficient=coefficient)
    confirm(fmt, quiet, f"Parked deal {describe(parked)}: {_touches(parked['cadence'])}", parked, parked["id"])


def unpark(ctx: typer.Context, deal: DealArg, at: AtOpt = None, fmt: FormatOpt = Fmt.auto,
           quiet: QuietOpt = False) -> None:
    """End a deal's follow-up cadence (it stays open where it is)."""
    shown = cadence.unpark(book(ctx), deal, at=moment(at))
    confirm(fmt, quiet, f"Unparked deal {describe(shown)}", shown, shown["id"])


def draft(ctx: typer.Context, deal: DealArg, fmt: FormatOpt = Fmt.auto) -> None:
    """Print a text for a parked deal's next touch, in that touch's channel."""
    drafted = cadence.draft(book(ctx), deal)
    if fmt == Fmt.json:
        render.write_json(drafted)
    else:
        render.message(drafted["text"])


@cadence_app.command("show")
def cadence_show(ctx: typer.Context, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """The tiers with their coefficients and touches, the interval and the channels."""
    setup = cadence.configuration(book(ctx))
    channels = ",".join(setup["channels"])
    rows = [{**tier, "base": setup["base"], "interval": setup["interval"], "channels": channels}
            for tier in setup["tiers"]]
    title = (f"{counted(setup['base'], 'touch', 'touches')} for a coefficient of 1, every {setup['interval']}, "
             f"channels {', '.join(setup['channels'])}")
    show(render.Table(SHOW_COLUMNS, rows, title=title, headers={"threshold": "deal value from"},
                      display=["threshold", "coefficient", "touches"]), fmt, no_header)


@cadence_app.command("set")
def cadence_set(
    ctx: typer.Context,
    base: Annotated[str | None, typer.Option(metavar="N", help="Touches before a decision at coefficient 1.")] = None,
    tiers: Annotated[str | None, typer.Option(metavar="SPEC",
                                              help="THRESHOLD:COEFFICIENT,… e.g. 0:0,100000:0.5,500000:1.")] = None,
    interval: Annotated[str | None, typer.Option(metavar="OFFSET", help="Time between touches: 7d, 2w, 1m.")] = None,
    channels: Annotated[str | None, typer.Option(metavar="LIST", help="Cycled per touch, e.g. email,call.")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Change the cadence settings (all checked before any is saved)."""
    setup = cadence.configure(book(ctx), base=base, tiers=tiers, interval=interval, channels=channels)
    tiers_text = ", ".join(f"{money.to_plain(t['threshold']).removesuffix('.00')}:{t['coefficient']:g} → "
                           f"{t['touches']}" for t in setup["tiers"])
    line = (f"Cadence: {counted(setup['base'], 'touch', 'touches')} at coefficient 1, every {setup['interval']}, "
            f"channels {','.join(setup['channels'])}; tiers {tiers_text}")
    confirm(fmt, quiet, line, setup, "cadence")


def register(app: typer.Typer) -> None:
    app.command("park")(park)
    app.command("unpark")(unpark)
    app.command("draft")(draft)
    app.add_typer(cadence_app, name="cadence")
