"""Task commands: remind, tasks, done, snooze."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow import render
from dealflow.cli.output import AtOpt, Fmt, FormatOpt, NoHeaderOpt, QuietOpt, book, confirm, moment, show
from dealflow.core import clock, tasks
from dealflow.core.errors import InputError

LIST_COLUMNS = ["id", "text", "due", "overdue_days", "deal_id", "deal", "contact", "phone", "origin"]
TaskArg = Annotated[str, typer.Argument(metavar="TASK", help="Task number: T12 or 12.")]


def describe(task: dict[str, Any]) -> str:
    """`T7 "check the payment" due 2026-11-25 (deal #12 "Windows")`."""
    about = f' (deal #{task["deal_id"]} "{task["deal"]}")' if task["deal_id"] else (
        f" ({task['contact']})" if task["contact"] else "")
    return f'T{task["id"]} "{task["text"]}" due {task["due"][:16].replace("T", " ")}{about}'


def remind(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(metavar="REF TEXT...", help=(
        "REF: a deal number (12 or #12) or a contact (name, phone, email); then what to do. "
        "With --contact, REF is a deal number or left out (quote a text that starts with a number)."))],
    contact: Annotated[str | None, typer.Option("--contact", "-c", help="The contact the task is for.")] = None,
    due: Annotated[str | None, typer.Option(metavar="WHEN", help="When it is due (default: today).")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Add a reminder for a deal or a contact."""
    with_deal = not contact or (len(words) > 1 and tasks.DEAL_NUMBER.fullmatch(words[0]))
    ref, text = (words[0], words[1:]) if with_deal else (None, words)
    if not text:
        raise InputError("say what to do: `dealflow remind 12 \"check the payment\" --due +3d`")
    task = tasks.remind(book(ctx), ref, " ".join(text), moment(due, ahead=True), contact=contact)
    confirm(fmt, quiet, f"Added task {describe(task)}", task, task["id"])


def list_tasks(
    ctx: typer.Context,
    every: Annotated[bool, typer.Option("--all", help="Every open task, whatever its due date.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open tasks due before today (one due "
                                                                         "earlier today is due today).")] = False,
    done: Annotated[bool, typer.Option("--done", help="Completed tasks, latest first.")] = False,
    due: Annotated[str | None, typer.Option(metavar="WHEN", help="Open tasks due up to this day "
                                                                  "(default: today).")] = None,
    fmt: FormatOpt = Fmt.auto,
    no_header: NoHeaderOpt = False,
) -> None:
    """List tasks (default: open ones due up to today)."""
    chosen = [name for name, flag in (("all", every), ("overdue", overdue), ("done", done)) if flag]
    if len(chosen) > 1:
        raise InputError("give only one of --all, --overdue, --done")
    which = chosen[0] if chosen else "due"
    rows = tasks.listing(book(ctx), which, moment(due, ahead=True))
    columns = LIST_COLUMNS + (["done_at"] if which == "done" else [])
    empty = {"done": "No completed tasks yet.", "overdue": "Nothing overdue. Well done."}.get(
        which, "No open tasks due. `dealflow today` shows what else needs you.")
    # A done task's due day is history: not shown as "3 days overdue" as of today.
    table = render.Table(columns, rows, empty=empty, today=None if which == "done" else clock.today(),
                         headers={"overdue_days": "overdue", "deal_id": "deal #"},
                         # `due` already says "3 days overdue"; origin and deal # fit only in tsv/csv/json
                         display=[c for c in columns if c not in ("overdue_days", "origin", "deal_id")],
                         narrow=["id", "due", "contact", "phone", "text"],  # a call list: who, and what to do
                         row_style=lambda row: "red" if row["overdue_days"] > 0 and not row["done_at"] else None)
    show(table, fmt, no_header)


def done(
    ctx: typer.Context,
    task_refs: Annotated[list[str], typer.Argument(metavar="TASK...", help="One or more tasks: T12 13 T14.")],
    at: AtOpt = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Mark tasks done (all of them, or none when one is unknown)."""
    completed = tasks.done(book(ctx), task_refs, at=moment(at))
    if quiet:
        print("\n".join(str(task["id"]) for task in completed))
    elif fmt == Fmt.json:
        render.write_json(completed)
    else:
        for task in completed:
            render.message(f"Done: {describe(task)}")


def snooze(
    ctx: typer.Context,
    task: TaskArg,
    to: Annotated[str | None, typer.Option("--to", metavar="WHEN", help="The new due date, e.g. mon, +3d.")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Move a task to a later (or earlier) day."""
    snoozed = tasks.snooze(book(ctx), task, moment(to, ahead=True))
    confirm(fmt, quiet, f"Snoozed {describe(snoozed)}", snoozed, snoozed["id"])


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
    app.command("tasks")(list_tasks)
    app.command("done")(done)
    app.command("snooze")(snooze)
