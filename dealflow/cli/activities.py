"""`dealflow log`: record a call, email, meeting, message or note against a deal or a contact."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dealflow.cli.output import AtOpt, Fmt, FormatOpt, QuietOpt, book, confirm, moment
from dealflow.core import activities
from dealflow.core.errors import InputError
from dealflow.core.text import counted


def split_words(words: list[str], contact: str | None) -> tuple[str | None, str, str | None]:
    """`REF KIND [NOTE...]`, or `KIND [NOTE...]` when `--contact` already says who: (ref, kind, note)."""
    if contact and words and words[0].casefold() in activities.KINDS:
        ref, rest = None, words
    else:
        ref, rest = (words[0] if words else None), words[1:]
    if not rest:
        raise InputError(f"say what happened: `dealflow log 12 call \"note\"` with a kind "
                         f"({', '.join(activities.KINDS)})")
    note = " ".join(rest[1:]).strip() or None
    return ref, rest[0], note


def describe(logged: dict[str, Any]) -> str:
    """`Logged call (out, 5 min) with Пётр on deal #12 "Windows"; …` for the confirmation line."""
    manner = ", ".join(part for part in (
        logged["direction"], "missed" if logged["missed"] else None,
        _minutes(logged["duration_s"]) if logged["duration_s"] is not None else None) if part)
    line = f"Logged {logged['kind']}" + (f" ({manner})" if manner else "")
    if logged["contact"]:
        line += f" with {logged['contact']}"
    if logged["deal_id"] is not None:
        line += f' on deal #{logged["deal_id"]} "{logged["deal"]}"'
    if task := logged["call_back_task"]:
        line += f"; call-back task T{task['id']} \"{task['text']}\" is due"
    if logged["returned_calls"]:
        line += f"; completed {counted(logged['returned_calls'], 'call-back task')}"
    if task := logged["next_task"]:
        line += f"; next step T{task['id']} \"{task['text']}\" due {task['due'][:16].replace('T', ' ')}"
    return line


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def log(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(metavar="REF KIND [NOTE...]", help=(
        "REF: a deal number (12 or #12) or a contact (name, phone, email); KIND: call, email, meeting, "
        "message or note; then the note. With --contact, REF may be left out."))],
    contact: Annotated[str | None, typer.Option("--contact", "-c", help=(
        "The contact (number, name, phone, email): alone, log against the contact; with a deal, who at the "
        "client it was with."))] = None,
    at: AtOpt = None,
    inbound: Annotated[bool, typer.Option("--in", help="They reached out to you.")] = False,
    outbound: Annotated[bool, typer.Option("--out", help="You reached out (the default for calls, emails, "
                                                         "messages).")] = False,
    missed: Annotated[bool, typer.Option("--missed", help="An inbound call you missed: makes a call-back task.")]
    = False,
    duration: Annotated[str | None, typer.Option(metavar="DURATION", help=(
        "How long: 5m, 1h30m, 90s, 7 (minutes) or 12:30 (minutes:seconds, as a call timer shows it; "
        "12 hours 30 minutes is 12h30m)."))] = None,
    next_step: Annotated[str | None, typer.Option("--next", help="Plan the next step as a task.")] = None,
    due: Annotated[str | None, typer.Option(metavar="WHEN", help="When --next is due (default: today).")] = None,
    fmt: FormatOpt = Fmt.auto,
    quiet: QuietOpt = False,
) -> None:
    """Log an activity; a missed call becomes a call-back task, a later outbound call completes it."""
    ref, kind, note = split_words(words, contact)
    logged = activities.log(book(ctx), ref, kind, note, contact=contact, at=moment(at), inbound=inbound,
                            outbound=outbound, missed=missed, duration=duration, next_text=next_step,
                            next_due=moment(due, ahead=True))
    confirm(fmt, quiet, describe(logged), logged, logged["id"])


def register(app: typer.Typer) -> None:
    app.command("log")(log)
