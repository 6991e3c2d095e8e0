"""`import` and `export`: moving contacts, deals, activities and tasks in from other CRMs and out again."""

from __future__ import annotations

import sys
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Annotated

import typer

from dealflow import render
from dealflow.cli.output import Fmt, FormatOpt, book
from dealflow.core.text import counted


class ExportFmt(str, Enum):
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def import_file(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="KIND", help="contacts, deals, activities or tasks.")],
    file: Annotated[str, typer.Argument(metavar="FILE", help="A CSV or TSV file, or - to read stdin.")],
    maps: Annotated[list[str] | None, typer.Option(
        "--map", "-m", metavar="SRC=FIELD",
        help="Read column SRC as FIELD (repeat; an empty FIELD ignores the column).")] = None,
    key: Annotated[str | None, typer.Option(
        help="Update what matches on this field instead of adding (deals: external_id; "
             "contacts: email, phone or name).")] = None,
    delimiter: Annotated[str | None, typer.Option(help="Column delimiter (default: sniffed: , ; or tab).")] = None,
    encoding: Annotated[str | None, typer.Option(help="File encoding (default: UTF-8, else Windows-1251).")] = None,
    date_format: Annotated[str | None, typer.Option(
        "--date-format", metavar="FMT", help="strptime format of every date column, e.g. %d.%m.%Y.")] = None,
    create_stages: Annotated[bool, typer.Option(
        "--create-stages", help="Add the stages the file names to the pipeline (before the invoice stage) "
                                 "instead of refusing the rows.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")] = False,
    skip_errors: Annotated[bool, typer.Option(
        "--skip-errors", help="Import the good rows and leave out the bad ones.")] = False,
    rejects: Annotated[Path | None, typer.Option(
        metavar="FILE", help="With --skip-errors: write the bad rows here, with an error column.")] = None,
    fmt: FormatOpt = Fmt.auto,
) -> None:
    """Import contacts, deals, activities or tasks from CSV/TSV (amoCRM, Pipedrive, HubSpot, Salesforce, sheets)."""
    from dealflow.core import csv_reading, importer

    options = importer.Options(maps=maps or [], key=key, date_format=date_format, create_stages=create_stages,
                               dry_run=dry_run, skip_errors=skip_errors, rejects=rejects)
    source = csv_reading.open_source(file, encoding=encoding, delimiter=delimiter)
    try:
        with render.progress(f"Importing {kind}") as update:
            summary = importer.run(book(ctx), kind, source, options, progress=update)
    finally:
        source.close()
    if summary.unused:
        sys.stderr.write(render.inert(f"Unused columns: {', '.join(summary.unused)} "
                                      "(read one with --map COLUMN=FIELD)") + "\n")
    if summary.notices:
        sys.stderr.write(render.inert("\n".join(summary.notices)) + "\n")
    if summary.rejected:
        where = f", written to {rejects}" if rejects and not dry_run else ""
        sys.stderr.write(render.inert("\n".join([f"Left out {counted(summary.rejected, 'bad row')}{where}:",
                                                 *summary.errors]))
                         + "\n")
    if fmt == Fmt.json:
        render.write_json(asdict(summary))
    else:
        render.message(describe(summary))


def describe(summary) -> str:
    """`Imported 120 rows: 118 deals created, 0 updated; 40 contacts created, 78 matched; 2 rejected.`"""
    contacts = f"{counted(summary.contacts_created, 'contact')} created, {summary.contacts_matched} matched"
    parts = {
        "deals": f"{counted(summary.deals_created, 'deal')} created, {summary.deals_updated} updated",
        "contacts": f"{contacts}, {summary.contacts_updated} updated",
        "activities": f"{counted(summary.activities_created, 'activity', 'activities')} created",
        "tasks": f"{counted(summary.tasks_created, 'task')} created",
    }
    said = [parts[summary.kind]]
    if summary.kind == "deals":
        said.append(contacts + (f", {summary.contacts_updated} updated" if summary.contacts_updated else ""))
    if summary.stages_created:
        said.append(f"stages created: {', '.join(summary.stages_created)}")
    said.append(f"{summary.rejected} rejected")
    head = "Dry run, nothing written. Would import" if summary.dry_run else "Imported"
    return f"{head} {counted(summary.rows, 'row')}: " + "; ".join(said) + "."


def export(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(
        metavar="KIND", help="contacts, deals, activities, tasks, invoices, payments, history or stages "
                             "(for `init --pipeline FILE` of another book).")],
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help="csv, json or jsonl.")] = ExportFmt.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="Write here instead of stdout.")] = None,
) -> None:
    """Export a kind of record for spreadsheets, scripts, other tools or another dealflow book."""
    from dealflow.core import exporter

    opened = book(ctx)
    columns = exporter.columns(opened, kind)
    out = _open_output(output) if output else sys.stdout
    total = exporter.count(opened, kind) if sys.stderr.isatty() else 0  # only a bar needs it
    try:
        with render.progress(f"Exporting {kind}") as update:
            rows = _counted(exporter.rows(opened, kind), update, total)  # one SELECT: a consistent snapshot
            if fmt == ExportFmt.csv:
                render.write_delimited(columns, rows, "csv", out=out)
            else:
                render.write_json_stream(rows, lines=fmt == ExportFmt.jsonl, out=out)
    finally:
        if output:
            out.close()


def _counted(rows: Iterator[dict], update: Callable[[int, int], None], total: int) -> Iterator[dict]:
    """Pass rows through, telling the progress bar every thousand."""
    update(0, total)
    for done, row in enumerate(rows, 1):
        if done % 1000 == 0:
            update(done, total)
        yield row


def _open_output(path: Path):
    from dealflow.core.errors import InputError

    try:
        return path.expanduser().open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    app.command("export")(export)
