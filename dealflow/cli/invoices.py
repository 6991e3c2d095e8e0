"""Invoice commands: invoice add/list/show/pay/void/render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import (AtOpt, Fmt, FormatOpt, NoHeaderOpt, NoteOpt, QuietOpt, book, confirm, moment, show,
                                 sub_app, write_file)
from dealflow.core import invoices, money
from dealflow.core.errors import InputError

invoice_app = sub_app("Invoices and payments: from terms agreed to money received.")

NumberArg = Annotated[str, typer.Argument(metavar="NUMBER", help="Invoice number as printed, e.g. INV-0007 (any case).")]
LIST_COLUMNS = ["number", "deal_id", "deal", "contact", "issued", "due", "total", "paid", "balance", "currency",
                "status", "days_overdue"]
TABLE_COLUMNS = ["number", "deal", "contact", "due", "total", "balance", "status"]  # what fits 80 columns
CARD_FIELDS = [
    ("number", "Invoice"), ("deal_id", "Deal"), ("deal", "Deal title"), ("contact", "Contact"),
    ("company", "Company"), ("issued", "Issued"), ("due", "Due"), ("total", "Total"), ("paid", "Paid"),
    ("balance", "Balance"), ("currency", "Currency"), ("status", "Status"), ("days_overdue", "Days overdue"),
    ("voided_at", "Voided"), ("void_note", "Void note"),
]


def _human(invoice: dict[str, Any], minor: int) -> str:
    return money.to_human(minor, invoice["currency"])


def _then(invoice: dict[str, Any]) -> str:
    """`; deal #12 moved to Invoiced` when issuing or paying moved the deal."""
    return f"; {invoice['deal_change']}" if invoice.get("deal_change") else ""


@invoice_app.command("add")
def add(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(metavar="DEAL", help="Deal number: 42 or #42.")],
    amount: Annotated[str | None, typer.Option("--amount", "-a", metavar="AMOUNT",
                                               help="Invoice this amount (default: the deal's value).")] = None,
    item: Annotated[list[str] | None, typer.Option("--item", "-i", metavar="TEXT=QTY*PRICE",
                                                   help="A line, e.g. \"Pump=2*1500\" (repeat for more).")] = None,
    due: Annotated[str | None, typer.Option(metavar="WHEN",
                                            help="Due date (default: issue date + setting invoice.due_days).")] = None,
    at: AtOpt = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Issue an invoice for a deal; the deal moves to the invoice stage if it is earlier."""
    made = invoices.add(book(ctx), deal, amount=amount, items=item, due=moment(due, ahead=True), at=moment(at))
    line = (f'Issued {made["number"]} for deal #{made["deal_id"]} "{made["deal"]}": {_human(made, made["total"])}, '
            f'due {made["due"]}{_then(made)}')
    confirm(fmt, quiet, line, made, made["number"])


@invoice_app.command("list")
def list_invoices(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Issued and partly paid invoices (the default without "
                                                       "--deal).")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Invoices with a balance past their due date.")] = False,
    paid: Annotated[bool, typer.Option("--paid", help="Invoices paid in full.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Every invoice, void ones too.")] = False,
    deal: Annotated[str | None, typer.Option(
        metavar="DEAL", help="This deal's invoices: every one, paid and void too, unless --open, --overdue or "
                             "--paid narrows them.")] = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """List invoices (default: open ones, earliest due first; with --deal, all of that deal's in issue order)."""
    chosen = [name for name, on in (("open", open_), ("overdue", overdue), ("paid", paid), ("all", all_)) if on]
    if len(chosen) > 1:
        raise InputError("give only one of --open, --overdue, --paid, --all")
    rows = invoices.listing(book(ctx), chosen[0] if chosen else None, deal=deal)
    table = render.Table(LIST_COLUMNS, rows, display=TABLE_COLUMNS,
                         empty="No invoices here. Issue one with `dealflow invoice add DEAL`.",
                         headers={"deal_id": "deal #", "days_overdue": "days late"}, row_style=_style)
    show(table, fmt, no_header)


def _style(row: dict[str, Any]) -> str | None:
    if row["status"] == "void":
        return "dim"
    return "red" if row["days_overdue"] else None


@invoice_app.command("show")
def show_invoice(ctx: typer.Context, number: NumberArg, fmt: FormatOpt = Fmt.auto,
                 no_header: NoHeaderOpt = False) -> None:
    """One invoice with its lines and payments."""
    data = invoices.show(book(ctx), number)
    currency = {"currency": data["currency"]}
    sections = [
        render.Table(["text", "quantity", "price", "amount"], [{**row, **currency} for row in data["lines"]],
                     title="Lines"),
        render.Table(["at", "amount", "method"], [{**row, **currency} for row in data["payments"]],
                     title="Payments", empty="No payments yet."),
    ]
    card = render.Card(f'Invoice {data["number"]} ({data["status"]})', CARD_FIELDS, data, sections)
    render.write_card(card, fmt.value, no_header=no_header)


@invoice_app.command("pay")
def pay(
    ctx: typer.Context,
    number: NumberArg,
    amount: Annotated[str | None, typer.Option("--amount", "-a", metavar="AMOUNT",
                                               help="How much was paid (default: the whole balance).")] = None,
    at: AtOpt = None,
    method: Annotated[str | None, typer.Option("--method", "-m", help="How: transfer, card, cash…")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Record a payment; a fully paid invoice moves the deal to the payment stage or marks it won."""
    paid = invoices.pay(book(ctx), number, amount=amount, at=moment(at), method=method)
    if paid["balance"]:
        line = f"Paid {_human(paid, paid['payment'])} on {paid['number']}; {_human(paid, paid['balance'])} still due"
    else:
        line = f"Paid {_human(paid, paid['payment'])} on {paid['number']}: paid in full{_then(paid)}"
    confirm(fmt, quiet, line, paid, paid["number"])


@invoice_app.command("void")
def void(ctx: typer.Context, number: NumberArg, note: NoteOpt = None, at: AtOpt = None, fmt: FormatOpt = Fmt.auto,
         quiet: QuietOpt = False) -> None:
    """Cancel an invoice that has no payments (its number is not reused)."""
    voided = invoices.void(book(ctx), number, note=note, at=moment(at))
    confirm(fmt, quiet, f"Voided {voided['number']} ({_human(voided, voided['total'])}, deal #{voided['deal_id']})",
            voided, voided["number"])


@invoice_app.command("render")
def render_invoice(
    ctx: typer.Context,
    number: NumberArg,
    fmt: Annotated[str | None, typer.Option("--format", "-f", metavar="text|html|md",
                                            help="Document format (default: from the --output suffix, else text).")]
    = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="Write the document here instead of printing it.")] = None,
) -> None:
    """The invoice document to send or print: seller, buyer, lines, total, paid, balance, due date."""
    from dealflow.core import invoice_render

    chosen = invoice_render.format_for(fmt, output.suffix if output else None)
    doc = invoices.document(book(ctx), number)
    text = invoice_render.render(doc, chosen)
    if output is None:
        render.message(text.rstrip("\n"))  # user text in it is made inert for the terminal
        return
    write_file(output, text)
    render.message(f"Wrote {doc['number']} ({chosen}) to {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(invoice_app, name="invoice")
