"""Deal commands: add, deals, show, edit, move, advance, won, lost, reopen."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import (AtOpt, Fmt, FormatOpt, NoHeaderOpt, NoteOpt, QuietOpt, book, confirm, moment,
                                 show)
from dealflow.core import clock, deals, money

LIST_COLUMNS = ["id", "title", "contact", "stage", "status", "value", "currency", "probability", "days_in_stage",
                "next_due", "owner", "source", "created_at"]
TABLE_COLUMNS = ["id", "title", "contact", "stage", "status", "value", "probability", "days_in_stage",
                 "next_due"]  # what a terminal shows; owner, source and dates are in tsv/csv/json
PARKED_COLUMNS = ["coefficient", "touches_done", "touches_total", "next_touch", "channel"]
PARKED_DISPLAY = ["id", "title", "contact", "stage", "value", *PARKED_COLUMNS]
NOT_NARROW = ("contact", "probability", "days_in_stage", "coefficient", "channel")  # left out under 100 columns
DealArg = Annotated[str, typer.Argument(metavar="DEAL", help="Deal number: 42 or #42.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag (repeat for more).")]


def describe(deal: dict[str, Any]) -> str:
    """`#12 "Acme — 20 windows" (Proposal)` as used in confirmations."""
    place = deal["stage"] if deal["status"] == "open" else f"{deal['status']} from {deal['stage']}"
    return f'#{deal["id"]} "{deal["title"]}" ({place})'


def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What is being sold, e.g. \"Acme — 20 windows\".")],
    contact: Annotated[str | None, typer.Option("--contact", "-c", help="Contact: number, email, phone or name "
                                                "(a new contact is created when none matches).")] = None,
    company: Annotated[str | None, typer.Option(help="The contact's company.")] = None,
    email: Annotated[str | None, typer.Option(help="The contact's email.")] = None,
    phone: Annotated[str | None, typer.Option(help="The contact's phone.")] = None,
    value: Annotated[str | None, typer.Option("--value", "-v", metavar="AMOUNT", help="120000, \"120 000,50\", $1,500.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency code (default: setting `currency`).")] = None,
    source: Annotated[str | None, typer.Option(help="Where the lead came from.")] = None,
    owner: Annotated[str | None, typer.Option(help="Who works the deal (default: setting `owner`).")] = None,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Start in this stage (default: the first).")] = None,
    close: Annotated[str | None, typer.Option(metavar="WHEN", help="Expected close date.")] = None,
    probability: Annotated[int | None, typer.Option(help="Override the stage's probability (0-100).")] = None,
    tag: TagOpt = None,
    note: NoteOpt = None,
    next_step: Annotated[str | None, typer.Option("--next", help="The first task for this deal.")] = None,
    due: Annotated[str | None, typer.Option(metavar="WHEN", help="When --next is due (default: today).")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Add a deal (and its contact), optionally with its first task."""
    deal = deals.add(book(ctx), title, contact=contact, company=company, email=email, phone=phone, value=value,
                     currency=currency, source=source, owner=owner, stage=stage, close=moment(close, ahead=True),
                     probability=probability, tags=tag, note=note, next_text=next_step,
                     next_due=moment(due, ahead=True), at=moment(at))
    # The contact is named: a deal that went to someone the user did not mean is seen at once.
    person = f' for contact #{deal["contact_id"]} {deal["contact"]}' if deal.get("contact_id") else ""
    confirm(fmt, quiet, f"Added deal {describe(deal)}{person}", deal, deal["id"])


def list_deals(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, won, lost or all.")] = "open",
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Only this stage.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", "-c", help="Only this contact's deals.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only deals with this tag.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the title, contact or company.")] = None,
    parked: Annotated[bool, typer.Option("--parked", help="Only deals parked in a follow-up cadence.")] = False,
    sort: Annotated[str, typer.Option(
        help="pipeline, value (per currency, the book's first; largest first), age, stage or due.")] = "pipeline",
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """List deals (default: open ones in pipeline order)."""
    rows = deals.listing(book(ctx), status=status, stage=stage, owner=owner, source=source, contact=contact,
                         tag=tag, search=search, sort=sort, limit=limit, parked=parked)
    today = clock.today()
    display = PARKED_DISPLAY if parked else [c for c in TABLE_COLUMNS if c != "status" or status != "open"]
    table = render.Table(LIST_COLUMNS + (PARKED_COLUMNS if parked else []), rows,
                         empty="No deals match. Add one with `dealflow add TITLE`.", today=today,
                         headers={"days_in_stage": "days", "probability": "prob %", "coefficient": "tier",
                                  "touches_done": "done", "touches_total": "of"}, display=display,
                         narrow=[c for c in display if c not in NOT_NARROW],
                         row_style=lambda row: _urgency(row, today.isoformat()))
    show(table, fmt, no_header)


def _urgency(row: dict[str, Any], today: str) -> str | None:
    """Red when the next step is overdue, yellow when it is due today."""
    due = (row.get("next_due") or "")[:10]
    if row["status"] != "open" or not due or due > today:
        return None
    return "red" if due < today else "yellow"


CARD_FIELDS = [
    ("id", "Deal"), ("title", "Title"), ("contact", "Contact"), ("company", "Company"), ("phone", "Phone"),
    ("email", "Email"), ("stage", "Stage"), ("status", "Status"), ("value", "Value"), ("currency", "Currency"),
    ("probability", "Probability %"), ("days_in_stage", "Days in stage"), ("expected_close", "Expected close"),
    ("owner", "Owner"), ("source", "Source"), ("tags", "Tags"), ("created_at", "Created"),
    ("last_activity_at", "Last activity"), ("closed_at", "Closed"), ("lost_reason", "Lost reason"),
    ("lost_note", "Lost note"), ("external_id", "External id"),
]


def show_deal(ctx: typer.Context, deal: DealArg, fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """The deal card: fields, stage timeline, activities, tasks, invoices, cadence."""
    data = deals.card(book(ctx), deal)
    sections = [
        render.Table(["event", "from_stage", "to_stage", "at", "days", "note"], data["history"], title="Timeline"),
        render.Table(["at", "kind", "direction", "note"], data["activities"], title="Activities",
                     empty="No activities yet."),
        render.Table(["id", "text", "due", "origin", "done_at"], data["tasks"], title="Tasks", empty="No tasks."),
    ]
    if data["invoices"]:
        sections.append(render.Table(["number", "issued", "due", "total", "paid", "balance", "status", "days_overdue"],
                                     data["invoices"], title="Invoices"))
    if data["payments"]:
        sections.append(render.Table(["at", "number", "amount", "method"], data["payments"], title="Payments"))
    if data["cadence"]:
        sections.append(render.Table(list(data["cadence"]), [data["cadence"]], title="Follow-up cadence"))
    card = render.Card(f'Deal #{data["id"]}: {data["title"]}', CARD_FIELDS, data, sections, today=clock.today())
    render.write_card(card, fmt.value, no_header=no_header)


def edit(
    ctx: typer.Context,
    deal: DealArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    value: Annotated[str | None, typer.Option("--value", "-v", metavar="AMOUNT", help="New value.")] = None,
    currency: Annotated[str | None, typer.Option(help="New currency code.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", "-c", help="Link another contact (\"\" unlinks).")] = None,
    source: Annotated[str | None, typer.Option(help="New source.")] = None,
    owner: Annotated[str | None, typer.Option(help="New owner.")] = None,
    close: Annotated[str | None, typer.Option(metavar="WHEN", help="Expected close date.")] = None,
    probability: Annotated[int | None, typer.Option(help="Override the stage's probability.")] = None,
    no_probability: Annotated[bool, typer.Option("--no-probability", help="Use the stage's probability again.")] = False,
    tag: TagOpt = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag (repeat for more).")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Change a deal's fields."""
    changed = deals.edit(book(ctx), deal, title=title, value=value, currency=currency, contact=contact,
                         source=source, owner=owner, close=moment(close, ahead=True), probability=probability,
                         clear_probability=no_probability, add_tags=tag or [], remove_tags=untag or [])
    confirm(fmt, quiet, f"Updated deal {describe(changed)}", changed, changed["id"])


def move(ctx: typer.Context, deal: DealArg,
         stage: Annotated[str, typer.Argument(help="Stage name or unique prefix.")],
         note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Move an open deal to any stage, forward or back."""
    moved = deals.move(book(ctx), deal, stage, note=note, at=moment(at))
    confirm(fmt, quiet, f"Moved deal {describe(moved)}", moved, moved["id"])


def advance(ctx: typer.Context, deal: DealArg, note: NoteOpt = None, at: AtOpt = None,
            fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Move an open deal to the next stage."""
    moved = deals.advance(book(ctx), deal, note=note, at=moment(at))
    confirm(fmt, quiet, f"Advanced deal {describe(moved)}", moved, moved["id"])


def won(ctx: typer.Context, deal: DealArg, note: NoteOpt = None, at: AtOpt = None,
        fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Mark a deal won (its open tasks are completed)."""
    closed = deals.close(book(ctx), deal, "won", note=note, at=moment(at))
    value = money.to_human(closed["value"], closed["currency"])
    confirm(fmt, quiet, f"Won deal {describe(closed)}: {value}", closed, closed["id"])


def lost(ctx: typer.Context, deal: DealArg,
         reason: Annotated[str, typer.Option("--reason", "-r", help="A loss reason (`dealflow reason list`).")],
         note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Mark a deal lost, with a reason."""
    closed = deals.close(book(ctx), deal, "lost", reason=reason, note=note, at=moment(at))
    confirm(fmt, quiet, f"Lost deal {describe(closed)}: {closed['lost_reason']}", closed, closed["id"])


def reopen(ctx: typer.Context, deal: DealArg,
           stage: Annotated[str | None, typer.Option("--stage", "-s", help="Reopen into this stage.")] = None,
           note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Open a won or lost deal again."""
    opened = deals.reopen(book(ctx), deal, stage=stage, note=note, at=moment(at))
    confirm(fmt, quiet, f"Reopened deal {describe(opened)}", opened, opened["id"])


def register(app: typer.Typer) -> None:
    app.command("add")(add)
    app.command("deals")(list_deals)
    app.command("show")(show_deal)
    app.command("edit")(edit)
    app.command("move")(move)
    app.command("advance")(advance)
    app.command("won")(won)
    app.command("lost")(lost)
    app.command("reopen")(reopen)
