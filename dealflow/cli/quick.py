"""`dealflow today` and `dealflow lookup` without Typer: the command run every morning and the one a phone
system runs on every call, started in half the time.

Importing Typer and Click costs about 30 ms, more than answering either command on a big book. When the
command line is one of `COMMANDS` with only its own well-formed options, this module answers it directly,
and reports a mistake in a value (`Error: …`, exit 1) as the full command line would; anything else (help,
a typo, a book that does not open or is damaged) is handed to the full command line. Both commands only
read, so handing over after a failed attempt repeats nothing. The options accepted here are checked against
the Typer commands' by a test.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable

    from dealflow.core.book import Book

GLOBAL_OPTIONS = {"--db": "db"}
FORMATS = ("auto", "table", "tsv", "csv", "json")
FORMAT_OPTIONS = {"--format": "fmt", "-f": "fmt"}
NO_HEADER = {"--no-header": "no_header"}


class Command:
    """A command answered here: its options (name → key), flags, the keys of its arguments in order, and the
    values a plain call has."""

    __slots__ = ("options", "flags", "arguments", "defaults")

    def __init__(self, options: dict[str, str], flags: dict[str, str], arguments: tuple[str, ...],
                 defaults: dict[str, object]):
        self.options, self.flags, self.arguments = options, flags, arguments
        self.defaults = {"db": None, **defaults}


COMMANDS = {
    "today": Command({"--days": "days", "-d": "days", "--on": "on", **FORMAT_OPTIONS}, NO_HEADER, (),
                     {"days": 0, "on": None, "fmt": "auto", "no_header": False}),
    "lookup": Command(FORMAT_OPTIONS, NO_HEADER, ("text",), {"fmt": "auto", "no_header": False}),
}


def parse(args: list[str]) -> tuple[str, dict[str, object]] | None:
    """`[--db PATH] COMMAND [ARGUMENT…] [OPTIONS]` for a command of `COMMANDS`, as its name and its defaults
    overridden; None for anything else. Values are read as Click reads them: `--name VALUE` or `--name=VALUE`,
    the last wins; options and arguments in any order."""
    values: dict[str, object] = {}
    rest = list(args)
    if not _take_options(rest, values, GLOBAL_OPTIONS, {}) or not rest or rest[0] not in COMMANDS:
        return None
    name = rest.pop(0)
    command = COMMANDS[name]
    values = {**command.defaults, **values}
    arguments = []
    while rest:
        if not rest[0].startswith("-") or rest[0] == "-":
            arguments.append(rest.pop(0))
        elif not _take_options(rest, values, command.options, command.flags):
            return None
    if len(arguments) != len(command.arguments) or values["fmt"] not in FORMATS:
        return None
    values.update(zip(command.arguments, arguments))
    return name, values


def _take_options(rest: list[str], values: dict[str, object], options: dict[str, str], flags: dict[str, str]) -> bool:
    """Move the leading options of `rest` into `values`; False at anything unusual."""
    while rest and rest[0].startswith("-") and rest[0] != "-":
        token = rest.pop(0)
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in flags and not equals:
            values[flags[name]] = True
            continue
        if name not in options:
            return False
        if not equals:
            value = rest.pop(0) if rest else ""
        if not value or value.startswith("-"):
            return False
        if options[name] == "days":
            try:
                value = int(value)  # what Click's INT does
            except ValueError:
                return False
        values[options[name]] = value
    return True


def answered(args: list[str]) -> bool:
    """Answer `args` if it is a plain command of `COMMANDS` and the book opens; False to use the full command
    line. A mistake the command reports (`Error: …`, exit 1) is reported here as the full command line would."""
    request = parse(args)
    if request is None:
        return False
    name, values = request
    from dealflow.core import Book
    from dealflow.core.errors import DealflowError

    gc.freeze()  # as in `main`: the collector need not walk the start-up's objects
    try:
        book = Book.open(values["db"])
    except Exception:  # the full command line tries again and reports it its own way
        return False
    try:
        show = _ask(name, book, values)
    except BaseException as exc:
        book.close(failed=True)
        if not isinstance(exc, Exception):
            raise
        if not isinstance(exc, DealflowError):
            return False  # a damaged book, say: the full command line owns that message
        from dealflow.render import error

        error(str(exc))
        sys.exit(1)
    book.close()
    try:
        show()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): quiet, exit 1, as Click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    return True


def _ask(name: str, book: Book, values: dict[str, object]) -> Callable[[], None]:
    """Ask the book the command's question; what writes the answer once the book is closed."""
    if name == "today":
        from dealflow.cli import agenda_view

        items, day = agenda_view.gather(book, days=values["days"], on=values["on"])
        return lambda: agenda_view.show(items, day, values["fmt"], values["no_header"])
    from dealflow.cli import lookup_view
    from dealflow.core import contacts

    cards = contacts.lookup(book, values["text"])
    return lambda: lookup_view.show(cards, values["fmt"], values["no_header"])
