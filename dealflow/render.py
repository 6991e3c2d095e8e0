"""Writing rows for people (Rich tables) and for programs (TSV, CSV, JSON).

The only module that knows about terminals and colour; Rich is imported only when a table is drawn.
Values arrive raw from the core: money as integer minor units under a money key (see MONEY_KEYS) beside
a `currency`, dates and instants as ISO text. Machine formats keep them raw (decimals with a point);
tables make them readable.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from itertools import islice
from operator import itemgetter

from dealflow.core import money
from dealflow.core.text import Regex, counted

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager
    from typing import Any, TextIO

MONEY_KEYS = frozenset({
    "value", "total", "paid", "balance", "amount", "price", "open_value", "lost_value", "won_value",
    "weighted", "invoiced", "at_risk", "value_at_risk", "threshold", "payment",
})
DAY_KEYS = frozenset({"due", "next_due", "expected_close", "next_touch"})  # shown relative to today
SETTLED = frozenset({"paid", "void"})  # invoice statuses whose due date is history, not news
NARROW = 100  # terminal columns below which tables keep each row to about a line (see _cut_widths)
LAST_TEXT, CUT_TEXT = 16, 10  # on a narrow terminal: the least width of the last text column, of a cut one

WRAPPING = frozenset({"title", "text", "note", "detail", "name", "contact", "deal", "task", "help", "company",
                      "lost_note", "email"})
# C0/C1 controls (ESC starts terminal sequences) and bidi overrides that could disguise text.
_CONTROLS = frozenset(map(chr, [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0), 0x200e, 0x200f,
                                0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2066, 0x206a)]))
# Linear TSV (as PostgreSQL's COPY): a backslash is doubled first, so `\\t` in a cell is never a tab.
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_INSTANT = Regex(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = Regex(r"\d{4}-\d{2}-\d{2}")


def inert(text: str) -> str:
    """User text made harmless for a terminal: control characters (ESC…) shown as `\\xNN`, not obeyed."""
    text = text.replace("\r\n", "\n")
    if _CONTROLS.isdisjoint(text):  # nearly always: one pass in C
        return text
    return "".join((f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
                   if char in _CONTROLS else char for char in text)


def resolve_format(fmt: str, stream: TextIO | None = None) -> str:
    """`auto` is a table on a terminal and TSV anywhere else."""
    if fmt != "auto":
        return fmt
    stream = stream or sys.stdout
    return "table" if stream.isatty() else "tsv"


def machine_value(key: str, value: Any) -> Any:
    """The raw value for JSON: money as a number, everything else as stored."""
    if key in MONEY_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return money.to_number(value)
    if isinstance(value, dict):
        return {k: machine_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [machine_value(key, item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def text_value(key: str, value: Any) -> str:
    """The raw value for TSV/CSV cells."""
    kind = value.__class__
    if kind is str:  # the most common cells first: text, empty, ids and amounts
        return value
    if value is None:
        return ""
    if kind is int:
        return money.to_plain(value) if key in MONEY_KEYS else str(value)
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("_pct") else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Table:
    """Rows to show, the columns to show them in, and how a terminal should present them.

    `display` is the columns a terminal shows, when fewer than `columns`; `narrow` those a terminal narrower
    than NARROW shows, each text column but the last cut to one line (see `_cut_widths`).
    """

    __slots__ = ("columns", "rows", "title", "empty", "headers", "row_style", "today", "display", "narrow")

    def __init__(self, columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str | None = None,
                 empty: str = "Nothing to show.", headers: Mapping[str, str] | None = None,
                 row_style: Callable[[dict[str, Any]], str | None] | None = None, today: date | None = None,
                 display: Sequence[str] | None = None, narrow: Sequence[str] | None = None):
        self.columns, self.rows, self.title, self.empty = columns, rows, title, empty
        self.headers = headers or {}
        self.row_style, self.today, self.display, self.narrow = row_style, today, display, narrow


def write(table: Table, fmt: str, *, no_header: bool = False, out: TextIO | None = None) -> None:
    """Write a list in the chosen format (`auto` already resolved or not)."""
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    if fmt == "json":
        write_json([{c: row.get(c) for c in table.columns} for row in table.rows], out)
    elif fmt in ("tsv", "csv"):
        write_delimited(table.columns, table.rows, fmt, no_header=no_header, out=out)
    else:
        draw_table(table, out)


def write_json(data: Any, out: TextIO | None = None) -> None:
    import json

    out = out or sys.stdout
    out.write(json.dumps(machine_value("", data), ensure_ascii=False, indent=2) + "\n")


def write_json_stream(rows: Iterable[dict[str, Any]], *, lines: bool = False, out: TextIO | None = None) -> None:
    """Rows as one JSON array, or (`lines`) one JSON object per line, written as they come (exports)."""
    import json

    out = out or sys.stdout
    if lines:
        for row in rows:
            out.write(json.dumps(machine_value("", row), ensure_ascii=False) + "\n")
        return
    out.write("[")
    for index, row in enumerate(rows):
        out.write(("," if index else "") + "\n  " + json.dumps(machine_value("", row), ensure_ascii=False))
    out.write("\n]\n")


def write_delimited(columns: Sequence[str], rows: Iterable[dict[str, Any]], fmt: str, *,
                    no_header: bool = False, out: TextIO | None = None) -> None:
    """TSV (tabs, line breaks, control characters and backslashes in a cell written as `\\t`, `\\n`, `\\x1b`,
    `\\\\`) or CSV (every cell exactly as stored: quoting keeps line breaks, and a CSV is data for other programs
    and for `import`, so control characters are theirs to keep, not a terminal's to neutralise)."""
    out = out or sys.stdout
    if fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        # Python's writer quotes a line break only if it is in its lineterminator: a chunk holding a lone carriage
        # return goes through one ending rows in "\r\n" (so "\r" is quoted too), its row ends written as "\n".
        guarded = csv.writer(_RowEnd(out), lineterminator="\r\n")
        if not no_header:
            writer.writerow(columns)
        for chunk in _text_rows(columns, rows, None):
            (guarded if "\r" in "".join(map("".join, chunk)) else writer).writerows(chunk)
        return
    if not no_header:
        out.write("\t".join(columns) + "\n")
    for chunk in _text_rows(columns, rows, _tsv_cell):
        out.write("\n".join(map("\t".join, chunk)) + "\n")


class _RowEnd:
    """A file for a CSV writer whose rows end in "\r\n": each row is written ending in "\n" instead."""

    __slots__ = ("out",)

    def __init__(self, out: TextIO):
        self.out = out

    def write(self, row: str) -> int:
        return self.out.write(row[:-2] + "\n")


_NONE = type(None)
_CHUNK = 1024  # rows converted at a time: an export of any size is written in bounded memory


def _text_rows(columns: Sequence[str], rows: Iterable[dict[str, Any]],
               clean: Callable[[str], str] | None) -> Iterator[list[tuple[str, ...]]]:
    """The cells of `rows` as text (`text_value`), chunk by chunk, `clean` (if any) applied to cells that need it.

    Done a column at a time: one look at a column's types picks how its cells become text, and one
    `isprintable` of the whole column proves that no cell holds a tab, a line break or a control character
    (only then is each cell cleaned). Three times quicker than cell by cell on the agenda of a big book.
    """
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    remaining = iter(rows)
    while chunk := list(islice(remaining, _CHUNK)):
        try:
            picked = list(map(pick, chunk))
        except KeyError:  # a row without some columns: their cells are empty
            picked = [tuple(row.get(column) for column in columns) for row in chunk]
        cells = [_column_text(column, values, clean) for column, values in zip(columns, zip(*picked))]
        yield list(zip(*cells))


def _column_text(key: str, values: tuple[Any, ...], clean: Callable[[str], str] | None) -> list[str]:
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        cells = ["" if value is None else value for value in values]
    elif kinds <= {int, _NONE} or (kinds <= {float, _NONE} and not key.endswith("_pct")):
        convert = money.to_plain if key in MONEY_KEYS and int in kinds else repr
        cells = ["" if value is None else convert(value) for value in values]
    else:
        cells = [text_value(key, value) for value in values]
    if clean is None:
        return cells
    joined = "".join(cells)
    # A tab, a line break, a control character, a backslash (for TSV), or only a no-break space.
    if not joined.isprintable() or "\\" in joined:
        cells = [cell if cell.isprintable() and "\\" not in cell else clean(cell) for cell in cells]
    return cells


def _tsv_cell(text: str) -> str:
    for char, escaped in _TSV_ESCAPES.items():
        text = text.replace(char, escaped)
    return inert(text)


# --- terminal -------------------------------------------------------------------------------------------


def console(out: TextIO | None = None, stderr: bool = False):
    """A Rich console that never interprets user text as markup and honours NO_COLOR / TERM=dumb."""
    from rich.console import Console

    stream = out or (sys.stderr if stderr else sys.stdout)
    # A table written to a file or pipe is not squeezed to 80 columns, unless COLUMNS says how wide.
    width = None if stream.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160
    return Console(file=out, stderr=stderr, highlight=False, markup=False, emoji=False, width=width)


def human_value(key: str, value: Any, row: dict[str, Any], today: date | None = None, *, short: bool = False) -> str:
    """A cell for people: money with separators and currency, days made relative, instants shortened;
    `short` (a narrow terminal): a due day as only how far it is (`2 days overdue`)."""
    if value is None:
        return ""
    if key in MONEY_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return money.to_human(value, row.get("currency"))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_pct") and isinstance(value, (int, float)):
        return f"{value:.1f}%"
    if isinstance(value, str) and _INSTANT.match(value):
        shown = value[:16].replace("T", " ")
        return relative(shown, value[:10], today, short=short) if key in DAY_KEYS else shown
    if isinstance(value, str) and key in DAY_KEYS and _DAY.fullmatch(value):
        # "7 days overdue" beside an invoice paid or void would be false: its due day is only a date now.
        return relative(value, value, None if row.get("status") in SETTLED else today, short=short)
    return inert(str(value))


def relative(shown: str, day_text: str, today: date | None, *, short: bool = False) -> str:
    """`2026-11-20 (2 days overdue)`, `2026-11-22 (today)`, `2026-11-25 (in 3 days)`; `short`: `2 days overdue`,
    `today 08:40` (the time kept when `shown` has one)."""
    if today is None:
        return shown
    days = (date.fromisoformat(day_text) - today).days
    if days == 0:
        note = "today"
    elif days == 1:
        note = "tomorrow"
    elif days < 0:
        note = f"{counted(-days, 'day')} overdue"
    else:
        note = f"in {counted(days, 'day')}"
    if short:
        return f"{note} {shown[11:]}" if len(shown) > 10 else note
    return f"{shown} ({note})"


def draw_table(table: Table, out: TextIO | None = None) -> None:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    con = console(out)
    if not table.rows:
        con.print(Text(table.empty, style="dim"))
        return
    grid = RichTable(box=box.SIMPLE_HEAD, title=table.title, title_justify="left", show_edge=False)
    columns = table.display or table.columns
    # On a narrow terminal due days are only how far they are, and they and amounts keep to one line; a table
    # with `narrow` columns shows those, its text columns but the last cut to one line (see _cut_widths).
    narrow = con.width < NARROW
    if narrow and table.narrow:
        columns = table.narrow
    titles = [table.headers.get(column, column.replace("_", " ")) for column in columns]
    cells = [[human_value(c, row.get(c), row, table.today, short=narrow) for c in columns] for row in table.rows]
    widths = _cut_widths(columns, titles, cells, con.width) if narrow and table.narrow else {}
    fits, cut = widths is not None, widths or {}  # when nothing fits on one line, every cell may fold
    kept = {}  # on a narrow terminal without cut columns: each column's width, no word split (see _whole_words)
    if narrow and not cut:
        kept = _whole_words(titles, cells, [column in MONEY_KEYS for column in columns], con.width)
        if kept is None:
            _draw_records(con, table, titles, cells)
            return
    for index, (column, title) in enumerate(zip(columns, titles)):
        numeric = (column in MONEY_KEYS or column.endswith(("_pct", "_days", "days")) or column in ("id", "probability")
                   or _counts(table.rows, column))
        # Amounts stay on one line; due days too, unless their words were given less room (`2 days / overdue`).
        one_line = narrow and fits and (column in cut or column in MONEY_KEYS or (column in DAY_KEYS and not kept))
        wraps = column in WRAPPING and column not in cut and not kept
        grid.add_column(title, justify="right" if numeric else "left", overflow="ellipsis" if one_line else "fold",
                        no_wrap=one_line, max_width=cut.get(column), width=kept.get(index),
                        min_width=(LAST_TEXT if cut else 10) if wraps else None)
    for row, texts in zip(table.rows, cells):
        grid.add_row(*map(Text, texts), style=table.row_style(row) if table.row_style else None)
    con.print(grid)


def _cut_widths(columns: Sequence[str], titles: Sequence[str], cells: list[list[str]],
                width: int) -> dict[str, int] | None:
    """A table's `narrow` columns on a narrow terminal: the width of each text column but the last, cut to one
    line (…) so that a row does not fold into a tall block. The text columns share evenly what the others
    leave; the last (what to do) wraps and keeps at least LAST_TEXT. None when even that does not fit: then
    every cell may fold."""
    from rich.cells import cell_len

    texts = [column for column in columns if column in WRAPPING]
    natural = {column: max(cell_len(text) for text in [title, *(row[i] for row in cells)])
               for i, (column, title) in enumerate(zip(columns, titles))}
    # Rich pads each cell with a space on either side and draws a space between columns.
    spare = width - (3 * len(columns) - 1) - sum(natural[c] for c in columns if c not in WRAPPING)
    to_cut = sorted(texts[:-1], key=natural.get)  # short ones keep their width and leave the rest to the others
    if spare - LAST_TEXT < CUT_TEXT * len(to_cut):
        return None
    widths = {}
    for place, column in enumerate(to_cut):
        share = min(spare // (len(to_cut) + 1 - place), spare - LAST_TEXT - CUT_TEXT * (len(to_cut) - 1 - place))
        widths[column] = max(CUT_TEXT, min(natural[column], share))
        spare -= widths[column]
    return widths


def _whole_words(titles: Sequence[str], cells: list[list[str]], unbroken: Sequence[bool],
                 width: int) -> dict[int, int] | None:
    """Column widths (by place) for a narrow terminal that split no word: each column gets at least its longest
    word (its longest cell when `unbroken`: an amount), and what is left goes to the widest columns first, so
    that long texts wrap between words. Rich's own squeezing cuts words, and letters too once its minimums
    overflow the line. None when even the longest words do not fit side by side: the rows are drawn as records."""
    from rich.cells import cell_len

    least, natural = [], []
    for place, title in enumerate(titles):
        texts = [title, *(row[place] for row in cells)]
        lines = [line for text in texts for line in text.splitlines()]
        natural.append(max((cell_len(line) for line in lines), default=0))
        words = lines if unbroken[place] else [word for line in lines for word in line.split()]
        least.append(max((cell_len(word) for word in words), default=0))
    room = width - (3 * len(titles) - 1)  # Rich pads each cell with a space on either side, a space between
    if sum(least) > room:
        return None
    cap = max(natural, default=0)
    while sum(max(low, min(high, cap)) for low, high in zip(least, natural)) > room:
        cap -= 1  # narrow the widest columns first, one column of characters at a time
    return {place: max(low, min(high, cap)) for place, (low, high) in enumerate(zip(least, natural))}


def _draw_records(con: Any, table: Table, titles: Sequence[str], cells: list[list[str]]) -> None:
    """A table too wide for the terminal even with its words kept whole: each row as `title  value` lines, a
    blank line between rows, the values wrapping under themselves. Empty values are left out, as on a card."""
    from rich.table import Table as RichTable
    from rich.text import Text

    if table.title:
        con.print(Text(table.title))
    grid = RichTable(box=None, show_header=False, pad_edge=True, padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    for place, (row, texts) in enumerate(zip(table.rows, cells)):
        if place:
            grid.add_row("", "")
        style = table.row_style(row) if table.row_style else None
        for title, text in zip(titles, texts):
            if text:
                grid.add_row(Text(title), Text(text), style=style)
    con.print(grid)


def draw_funnel(rows: Sequence[dict[str, Any]], group: str | None = None, out: TextIO | None = None,
                width: int = 32) -> None:
    """The funnel report on a terminal: per funnel (group and currency) a bar per stage as long as the
    deals that reached it, the numbers beside it, and the win rate under it."""
    from itertools import groupby

    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    con = console(out)
    if not rows:
        con.print(Text("No deals were created in this period.", style="dim"))
        return
    for (name, currency), funnel in groupby(rows, key=lambda row: (row.get(group) if group else None,
                                                                     row["currency"])):
        funnel = list(funnel)
        top = max((row["reached"] for row in funnel), default=0) or 1
        title = " · ".join(part for part in ("Funnel", inert(name) if name else None, currency) if part)
        grid = RichTable(box=box.SIMPLE_HEAD, title=title, title_justify="left", show_edge=False)
        bar_width = max(4, min(width, con.width - 90))  # the numbers need about 90 columns; bars get the rest
        for header in ("stage", "", "reached", "conv %", "open", "open value", "lost", "lost value"):
            grid.add_column(header, justify="left" if header in ("stage", "") else "right",
                            no_wrap=header != "stage", min_width=bar_width if header == "" else None)
        won = funnel[-1]
        for row in funnel:
            closing = row is won
            bar = Text("█" * max(1 if row["reached"] else 0, round(bar_width * row["reached"] / top)),
                       style="green" if closing else "cyan")
            grid.add_row(Text(inert(row["stage"]), style="bold green" if closing else ""), bar,
                         str(row["reached"]), human_value("conversion_pct", row["conversion_pct"], row),
                         "" if row["open"] is None else str(row["open"]),
                         human_value("open_value", row["open_value"], row), str(row["lost"]),
                         human_value("lost_value", row["lost_value"], row))
        con.print(grid)
        rate = human_value("win_rate_pct", won["win_rate_pct"], won) or "—"
        con.print(Text(f"  Win rate {rate}: {won['reached']} won "
                       f"({human_value('open_value', won['open_value'], won)}), {won['lost']} lost\n"))


def _counts(rows: Sequence[dict[str, Any]], column: str) -> bool:
    """A column of whole numbers (counts in reports), right-aligned like every number."""
    values = [row.get(column) for row in rows if row.get(column) is not None]
    return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)


class Card:
    """One thing shown in full: labelled fields (key, label), then titled sections of rows."""

    __slots__ = ("title", "fields", "data", "sections", "today")

    def __init__(self, title: str, fields: list[tuple[str, str]], data: dict[str, Any],
                 sections: Sequence[Table] = (), today: date | None = None):
        self.title, self.fields, self.data, self.sections, self.today = title, fields, data, sections, today


def write_card(card: Card, fmt: str, *, no_header: bool = False, out: TextIO | None = None) -> None:
    """JSON: the whole object; TSV/CSV: its fields as one row; terminal: a card with sections."""
    out = out or sys.stdout
    fmt = resolve_format(fmt, out)
    if fmt == "json":
        write_json(card.data, out)
        return
    if fmt in ("tsv", "csv"):
        write_delimited([key for key, _ in card.fields], [card.data], fmt, no_header=no_header, out=out)
        return
    from rich.text import Text

    con = console(out)
    con.print(Text(inert(card.title), style="bold"))
    width = max((len(label) for _, label in card.fields), default=0)
    for key, label in card.fields:
        value = card.data.get(key)
        if value not in (None, "", []):
            con.print(Text(f"  {label:<{width}}  ") + Text(human_value(key, value, card.data, card.today)))
    for section in card.sections:
        con.print()
        con.print(Text(section.title or "", style="bold underline"))
        draw_table(Table(section.columns, section.rows, empty=section.empty, headers=section.headers,
                         today=section.today or card.today), out)


def error(text: str) -> None:
    """`Error: …` on stderr: how every mistake is reported, with user text inside it shown, not obeyed."""
    sys.stderr.write(f"Error: {inert(text)}\n")


def message(text: str, out: TextIO | None = None) -> None:
    """A confirmation line; user text inside it is printed literally."""
    (out or sys.stdout).write(inert(text) + "\n")


def summary(head: str, parts: Sequence[str], out: TextIO | None = None, sep: str = " · ") -> None:
    """`head` and `parts` joined by `sep` as one line, at the width tables are drawn (the terminal's, `COLUMNS`,
    or 160 in a pipe): longer, it breaks only between parts, each line but the last ending in the separator
    and the next indented under the first part, so that no count or amount is split across lines."""
    from rich.cells import cell_len

    width, indent = console(out).width, " " * cell_len(head)
    lines, line = [], head + parts[0] if parts else head
    for place, part in enumerate(parts[1:], 2):
        if cell_len(line + sep + part + (sep.rstrip() if place < len(parts) else "")) <= width:
            line += sep + part
        else:
            lines.append(line + sep.rstrip())
            line = indent + part
    message("\n".join([*lines, line]), out)


def progress(description: str) -> AbstractContextManager[Callable[[int, int], None]]:
    """A progress bar on stderr for long work (imports), only when stderr is a terminal; gives
    `update(done, total)`."""
    from contextlib import contextmanager  # here: contextlib costs `dealflow today` 2 ms of imports

    return contextmanager(_progress_bar)(description)


def _progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
