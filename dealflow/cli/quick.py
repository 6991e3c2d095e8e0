"""`dealflow today` without Typer: the command run every morning, started in half the time.

Importing Typer and Click costs about 30 ms, more than gathering the agenda of a big book. When the command
line is `today` with only its own well-formed options, this module answers it directly; anything else (help,
a typo, a value the full command line would refuse, an error in the book) is handed to the full command
line, which owns every message. `today` only reads, so handing over after a failed attempt repeats nothing.
The options accepted here are checked against the Typer command's by a test.
"""

from __future__ import annotations

import gc
import os
import sys

GLOBAL_OPTIONS = {"--db": "db"}
TODAY_OPTIONS = {"--days": "days", "-d": "days", "--on": "on", "--format": "fmt", "-f": "fmt"}
TODAY_FLAGS = {"--no-header": "no_header"}
FORMATS = ("auto", "table", "tsv", "csv", "json")
DEFAULTS = {"db": None, "days": 0, "on": None, "fmt": "auto", "no_header": False}


def parse(args: list[str]) -> dict[str, object] | None:
    """`[--db PATH] today [--days N] [--on WHEN] [--format F] [--no-header]` as `DEFAULTS` overridden; None
    for anything else. Values are read as Click reads them: `--name VALUE` or `--name=VALUE`, the last wins."""
    values = dict(DEFAULTS)
    rest = list(args)
    if not _take_options(rest, values, GLOBAL_OPTIONS, {}) or rest[:1] != ["today"]:
        return None
    del rest[0]
    if not _take_options(rest, values, TODAY_OPTIONS, TODAY_FLAGS) or rest or values["fmt"] not in FORMATS:
        return None
    return values


def _take_options(rest: list[str], values: dict[str, object], options: dict[str, str], flags: dict[str, str]) -> bool:
    """Move the leading options of `rest` into `values`; False at anything unusual."""
    while rest and rest[0].startswith("-"):
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
    """Show the agenda if `args` is a plain `today` and the book answers; False to use the full command line."""
    request = parse(args)
    if request is None:
        return False
    from dealflow.cli import agenda_view
    from dealflow.core import Book

    gc.freeze()  # as in `main`: the collector need not walk the start-up's objects
    try:
        book = Book.open(request["db"])
        try:
            items, day = agenda_view.gather(book, days=request["days"], on=request["on"])
        except BaseException:
            book.close(failed=True)
            raise
        book.close()
    except Exception:  # the full command line tries again and reports it its own way
        return False
    try:
        agenda_view.show(items, day, request["fmt"], request["no_header"])
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): quiet, exit 1, as Click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    return True
