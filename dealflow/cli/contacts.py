"""Contact commands: contact add/list/show/edit/merge, and `lookup` for caller ID."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import Fmt, FormatOpt, NoHeaderOpt, QuietOpt, book, confirm, moment, show, sub_app
from dealflow.core import clock, contacts

contact_app = sub_app("Contacts: the people you sell to.")

RefArg = Annotated[str, typer.Argument(metavar="CONTACT", help="Number, email, phone or (part of a) name.")]
LIST_COLUMNS = ["id", "name", "company", "email", "phone", "source", "tags", "open_deals", "created_at"]


def _label(contact: dict[str, Any]) -> str:
    company = f" ({contact['company']})" if contact.get("company") else ""
    return f'#{contact["id"]} "{contact["name"]}"{company}'


def _public(contact: dict[str, Any]) -> dict[str, Any]:
    return contacts.public(dict(contact))


@contact_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    company: Annotated[str | None, typer.Option(help="Their company.")] = None,
    email: Annotated[str | None, typer.Option(help="Email (unique).")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone, any formatting (unique on its digits).")] = None,
    source: Annotated[str | None, typer.Option(help="Where they came from.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag (repeat for more).")] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Notes about them.")] = None,
    at: Annotated[str | None, typer.Option("--at", metavar="WHEN", help="When they became a contact.")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Add a contact."""
    from dealflow.core import when

    created = moment(at)
    contact = contacts.add(book(ctx), name, company=company, email=email, phone=phone, source=source,
                           tags=tag, notes=note, created_at=when.to_text(created) if created else None)
    confirm(fmt, quiet, f"Added contact {_label(contact)}", _public(contact), contact["id"])


@contact_app.command("list")
def list_contacts(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Option(help="Text in the name, company, email or phone.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only contacts with this tag.")] = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """List contacts, alphabetically."""
    rows = contacts.listing(book(ctx), search=search, tag=tag)
    show(render.Table(LIST_COLUMNS, rows, empty="No contacts match.", headers={"open_deals": "open deals"}),
         fmt, no_header)


CARD_FIELDS = [
    ("id", "Contact"), ("name", "Name"), ("company", "Company"), ("email", "Email"), ("phone", "Phone"),
    ("source", "Source"), ("tags", "Tags"), ("notes", "Notes"), ("created_at", "Since"),
    ("deals_count", "Deals"), ("won_count", "Won deals"), ("repeat_orders", "Repeat orders"),
    ("first_contact_at", "First contact"), ("last_contact_at", "Last contact"),
]


@contact_app.command("show")
def show_contact(ctx: typer.Context, contact: RefArg, fmt: FormatOpt = Fmt.auto,
                 no_header: NoHeaderOpt = False) -> None:
    """The client card: details, deals, lifetime value, payments, recent activities, open tasks."""
    data = contacts.card(book(ctx), contact)
    sections = [
        render.Table(["id", "title", "stage", "status", "value", "created_at", "closed_at"], data["deals"],
                     title="Deals", empty="No deals yet."),
        render.Table(["currency", "deals", "value"], data["won_value"], title="Won (lifetime)", empty="Nothing won yet."),
        render.Table(["number", "deal_id", "issued", "due", "total", "paid", "balance", "status", "days_overdue"],
                     data["invoices"], title="Invoices", empty="No invoices yet."),
        render.Table(["currency", "amount"], data["paid"], title="Paid", empty="No payments yet."),
        render.Table(["currency", "balance"], data["balance"], title="Balance due", empty="Nothing owed."),
        render.Table(["at", "kind", "direction", "deal_id", "note"], data["activities"], title="Recent activities",
                     empty="No activities yet."),
        render.Table(["id", "text", "due", "deal_id", "origin"], data["tasks"], title="Open tasks",
                     empty="No open tasks."),
    ]
    card = render.Card(f'Contact #{data["id"]}: {data["name"]}', CARD_FIELDS, data, sections, today=clock.today())
    render.write_card(card, fmt.value, no_header=no_header)


@contact_app.command("edit")
def edit(
    ctx: typer.Context,
    contact: RefArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    company: Annotated[str | None, typer.Option(help="New company (\"\" clears).")] = None,
    email: Annotated[str | None, typer.Option(help="New email (\"\" clears).")] = None,
    phone: Annotated[str | None, typer.Option(help="New phone (\"\" clears).")] = None,
    source: Annotated[str | None, typer.Option(help="New source (\"\" clears).")] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Replace the notes (\"\" clears).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Add a tag.")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag.")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Change a contact's details."""
    given = {"name": name, "company": company, "email": email, "phone": phone, "source": source, "notes": note}
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes and not tag and not untag:
        from dealflow.core.errors import InputError

        raise InputError("nothing to change; give at least one option (see `dealflow contact edit --help`)")
    changed = contacts.edit(book(ctx), contact, changes, add_tags=tag or [], remove_tags=untag or [])
    confirm(fmt, quiet, f"Updated contact {_label(changed)}", _public(changed), changed["id"])


@contact_app.command("merge")
def merge(ctx: typer.Context,
          keep: Annotated[str, typer.Argument(metavar="KEEP", help="The contact that stays.")],
          other: Annotated[str, typer.Argument(metavar="OTHER", help="The duplicate folded into KEEP.")],
          fmt: FormatOpt = Fmt.auto, quiet: QuietOpt = False) -> None:
    """Fold a duplicate into another contact: deals, activities and tasks move; empty fields are filled."""
    merged = contacts.merge(book(ctx), keep, other)
    confirm(fmt, quiet, f"Merged {other} into contact {_label(merged)}", _public(merged), merged["id"])


def lookup(ctx: typer.Context,
           text: Annotated[str, typer.Argument(help="Phone (any formatting), email or name.")],
           fmt: FormatOpt = Fmt.auto, no_header: NoHeaderOpt = False) -> None:
    """Caller ID: who is this, what is open with them, what happened last. Exit 1 when nobody matches."""
    from dealflow.cli import lookup_view

    lookup_view.show(contacts.lookup(book(ctx), text), fmt.value, no_header)


def register(app: typer.Typer) -> None:
    app.add_typer(contact_app, name="contact")
    app.command("lookup")(lookup)

