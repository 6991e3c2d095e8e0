"""The invoice as a document a client receives: plain text, Markdown, or a standalone printable HTML page.

Takes what `invoices.document` gathered and returns text; writing it anywhere is the caller's business.
Every piece of user text is escaped for the format (HTML entities, Markdown pipes); money is shown for
people, exact to the cent.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from dealflow.core.errors import InputError
from dealflow.core.money import SCALE, to_human

SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


def format_for(fmt: str | None, suffix: str | None) -> str:
    """The format to write: `fmt`, else the one the output file's suffix names, else text.

    A file is never given a suffix that promises something else (plain text in `invoice.pdf`)."""
    if not suffix:
        return fmt or "text"
    named = SUFFIXES.get(suffix.lower())
    if named is None:
        raise InputError(f"invoices are written as text (.txt), HTML (.html) or Markdown (.md), not {suffix}; "
                         "for a PDF, write .html and print it to PDF from a browser")
    if fmt and fmt != named:
        raise InputError(f"--format {fmt} does not write a {suffix} file; name the file for it, or leave out --format")
    return named


def render(doc: dict[str, Any], fmt: str) -> str:
    """The invoice in `fmt` (text, html or md)."""
    writers = {"text": to_text, "html": to_html, "md": to_markdown}
    if fmt not in writers:
        raise InputError(f"unknown invoice format {fmt!r}; use text, html or md")
    return writers[fmt](doc)


Money = Callable[[int], str]  # minor units → the amount as this invoice shows it


def _money(doc: dict[str, Any]) -> Money:
    """How this invoice shows money: every amount with cents when any has them (`$ 45,000.00` above
    `$ 5,000.50`, not `$ 45,000`), so a column of amounts has one number of decimals and lines up."""
    amounts = [doc["total"], doc["paid"]] + [line[key] for line in doc["lines"] for key in ("price", "amount")]
    cents = any(amount % SCALE for amount in amounts)
    return lambda minor: to_human(minor, doc["currency"], cents=cents)


def _party(party: dict[str, Any], *keys: str) -> list[str]:
    """The non-empty lines of a seller or buyer block (multi-line details kept as lines)."""
    return [line for key in keys if party.get(key) for line in str(party[key]).splitlines() if line.strip()]


def _summary(doc: dict[str, Any], money: Money) -> list[tuple[str, str, str]]:
    """Total, paid and balance as (label, value, note): the balance's note says when it is due."""
    rows = [("Total", money(doc["total"]), ""), ("Paid", money(doc["paid"]), "")]
    if doc["status"] == "void":
        return rows + [("Status", "VOID", "")]
    return rows + [("Balance due", money(doc["balance"]), f"by {doc['due']}" if doc["balance"] else "")]


def _value(value: str, note: str) -> str:
    """A summary value with its note, on one line."""
    return f"{value} {note}" if note else value


def _line_cells(doc: dict[str, Any], money: Money) -> list[list[str]]:
    """The lines' cells; a line's text on one line (a deal title with a line break gives the default line its
    text), so that it stays in its row."""
    return [[str(index), " ".join(line["text"].split()), str(line["quantity"]), money(line["price"]),
             money(line["amount"])] for index, line in enumerate(doc["lines"], 1)]


HEADINGS = ["#", "Item", "Qty", "Price", "Amount"]
NUMERIC = {0, 2, 3, 4}  # the columns of HEADINGS aligned right


def _title(doc: dict[str, Any]) -> str:
    return f"Invoice {doc['number']}" + (" (VOID)" if doc["status"] == "void" else "")


# --- text ------------------------------------------------------------------------------------------------


def to_text(doc: dict[str, Any]) -> str:
    """The invoice as plain text, its columns aligned by width on screen (空调 takes four columns, not two)."""
    from rich.cells import cell_len  # Rich is heavy: loaded only to render

    def pad(cell: str, width: int, right: bool) -> str:
        gap = " " * (width - cell_len(cell))
        return gap + cell if right else cell + gap

    seller = _party(doc["seller"], "name", "details") or ["—"]
    buyer = _party(doc["buyer"], "name", "company", "email", "phone") or ["—"]
    out = [_title(doc).upper(), f"Issued {doc['issued']}    Due {doc['due']}", ""]
    for label, block in (("From", seller), ("To", buyer)):
        out += [f"{label + ':':<6}{line}" if index == 0 else f"{'':<6}{line}" for index, line in enumerate(block)]
    out.append("")
    money = _money(doc)
    rows, summary = [HEADINGS] + _line_cells(doc, money), _summary(doc, money)
    widths = [max(cell_len(row[col]) for row in rows) for col in range(len(HEADINGS))]
    widths[-1] = max(widths[-1], *(cell_len(value) for _, value, _ in summary))  # the totals stand under Amount
    for row in rows:
        out.append("  ".join(pad(cell, widths[i], i in NUMERIC) for i, cell in enumerate(row)).rstrip())
    out.append("")
    label_width = sum(widths[:-1]) + 2 * (len(widths) - 2)  # up to the gap before Amount
    out += [f"{label:>{label_width}}  {_value(pad(value, widths[-1], True), note)}" for label, value, note in summary]
    return "\n".join(out) + "\n"


# --- Markdown --------------------------------------------------------------------------------------------


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Text that stays text in Markdown: on one line, with pipes, HTML brackets and emphasis marks escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def to_markdown(doc: dict[str, Any]) -> str:
    out = [f"# {_md(_title(doc))}", "", f"**Issued:** {doc['issued']}  ", f"**Due:** {doc['due']}", ""]
    for label, block in (("From", _party(doc["seller"], "name", "details")),
                         ("To", _party(doc["buyer"], "name", "company", "email", "phone"))):
        out += [f"**{label}:**  "] + [f"{_md(line)}  " for line in block or ["—"]] + [""]
    out += ["| " + " | ".join(HEADINGS) + " |", "|---|---|--:|--:|--:|"]
    money = _money(doc)
    out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in _line_cells(doc, money)]
    out.append("")
    out += [f"**{label}:** {_md(_value(value, note))}  " for label, value, note in _summary(doc, money)]
    return "\n".join(out) + "\n"


# --- HTML ------------------------------------------------------------------------------------------------

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #222;
       max-width: 780px; margin: 40px auto; padding: 0 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.dates { color: #555; margin-bottom: 28px; }
.parties { display: flex; gap: 48px; margin-bottom: 28px; }
.parties div { flex: 1; }
.label { text-transform: uppercase; font-size: 11px; letter-spacing: .08em; color: #777; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 6px 8px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { font-size: 12px; color: #555; border-bottom: 2px solid #999; }
.num { text-align: right; white-space: nowrap; }
.summary { margin: 18px 0 0 auto; width: auto; }
.summary td { border: none; padding: 3px 8px; }
.summary tr:last-child td { font-weight: bold; border-top: 2px solid #999; }
.void { color: #b00; }
@media print { body { margin: 0; } }
"""


def _h(text: Any) -> str:
    import html

    return html.escape(str(text), quote=True)


def _block(lines: list[str]) -> str:
    return "<br>".join(_h(line) for line in lines) or "—"


def to_html(doc: dict[str, Any]) -> str:
    title = _h(_title(doc))
    money = _money(doc)
    rows = "\n".join(
        "<tr>" + "".join(f'<td class="num">{_h(c)}</td>' if i in NUMERIC else f"<td>{_h(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in _line_cells(doc, money))
    heads = "".join(f'<th class="num">{h}</th>' if i in NUMERIC else f"<th>{h}</th>"
                    for i, h in enumerate(HEADINGS))
    summary = "\n".join(f'<tr><td>{_h(label)}</td><td class="num">{_h(_value(value, note))}</td></tr>'
                        for label, value, note in _summary(doc, money))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<h1{' class="void"' if doc["status"] == "void" else ""}>{title}</h1>
<div class="dates">Issued {_h(doc["issued"])} · Due {_h(doc["due"])}</div>
<div class="parties">
<div><div class="label">From</div>{_block(_party(doc["seller"], "name", "details"))}</div>
<div><div class="label">To</div>{_block(_party(doc["buyer"], "name", "company", "email", "phone"))}</div>
</div>
<table>
<thead><tr>{heads}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<table class="summary">
{summary}
</table>
</body>
</html>
"""
