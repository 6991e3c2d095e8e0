"""Importing contacts, deals, activities and tasks from the CSV/TSV exports of real CRMs and spreadsheets.

One import is one transaction: rows are streamed from the file (`csv_reading`), read through its columns
(`import_columns`, `import_values`), checked, and written in batches (`import_writer`; one
prepared statement per table and batch); any bad row aborts everything (unless `skip_errors`), and a dry
run rolls back at the end, so what it reports is exactly what a real run would do. Memory stays flat however
long the file is: only the current batch is held, and lookups of what is already stored go to indexed SQL
(for the keys of each batch of rows at once, see `Job.look_ahead`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from dealflow.core import activities, clock, contacts, deals, money, pipeline, settings, when
from dealflow.core.book import Book
from dealflow.core.csv_reading import Source
from dealflow.core.errors import InputError
from dealflow.core.import_columns import CONTACT_REFS, FIELDS, Columns, Row, RowError
from dealflow.core.import_values import parse_amount, parse_bool, parse_probability
from dealflow.core.import_writer import BATCH, Writer
from dealflow.core.text import PHONE_KEY_SQL, counted, digits, email_key, fold, phone_key, tags_join

KINDS = ("contacts", "deals", "activities", "tasks")
MAX_LISTED = 20
# SQLite's page cache during an import, in KiB (negative: a size, not a page count). With the default 2 MB
# the indexes of a large import no longer fit, and pages are written out and read back mid-transaction
# (100,000 deals: 0.4-0.5 s). A bound, not an allocation: a small import uses what it needs.
IMPORT_CACHE = -64 * 1024

# The tables an import of each kind fills and nothing reads through plain indexes until it is done: when
# the file holds at least as many rows as the book has deals, they are filled first and indexed after.
FILLED = {"deals": ("deals", "stage_history")}

# The field that holds a contact's number as dealflow gave it (see Job.person). Never read from a plain
# `id` column: other CRMs' exports have one, and their ids are not ours.
NUMBERED = "contact_id"
KEYS = {"contacts": ("email", "phone", "name"), "deals": ("external_id",)}

# Stage or status words that close a deal: Salesforce, HubSpot, amoCRM and Bitrix24 defaults.
WON_WORDS = frozenset({"won", "closed won", "closedwon", "deal won", "успешно реализовано", "сделка успешна"})
LOST_WORDS = frozenset({"lost", "closed lost", "closedlost", "deal lost", "закрыто и не реализовано",
                        "сделка провалена", "анализ причины провала"})


@dataclass
class Options:
    """How to read and apply a file (the `import` command's options)."""

    maps: list[str] = field(default_factory=list)
    key: str | None = None
    date_format: str | None = None
    create_stages: bool = False
    dry_run: bool = False
    skip_errors: bool = False
    rejects: Path | None = None


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    rows: int = 0
    deals_created: int = 0
    deals_updated: int = 0
    contacts_created: int = 0
    contacts_matched: int = 0
    contacts_updated: int = 0
    activities_created: int = 0
    tasks_created: int = 0
    stages_created: list[str] = field(default_factory=list)
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what was done with a row that is worth knowing
    unused: list[str] = field(default_factory=list)
    dry_run: bool = False


class _DryRun(Exception):
    """Raised at the end of a dry run so that the transaction rolls back."""


# --- the import ------------------------------------------------------------------------------------------


def run(book: Book, kind: str, source: Source, options: Options,
        progress: Callable[[int, int], None] | None = None) -> Summary:
    """Import every row of `source` as `kind`, all or nothing (or skipping bad rows); see the module doc."""
    with _cycle_collector_paused():
        return _run(book, kind, source, options, progress)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector, paused while importing.

    An import allocates millions of short-lived rows, dicts and tuples, and every few hundred allocations the
    collector walks the young objects (now and then all of them) looking for reference cycles. The rows form
    none (reference counting frees each batch), so those walks find nothing: about 0.2 s of 100,000 deals.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _closed_flag(kind: str, columns: Columns, source: Source) -> str | None:
    """A deals file's `closed` column that says yes or no (judged by its first rows), unless another column
    already says whether deals are closed."""
    if kind != "deals" or "is_closed" in columns.fields:
        return None
    return columns.yes_or_no([cells for _, cells in islice(source.rows(), BATCH)], "closed")


def _run(book: Book, kind: str, source: Source, options: Options,
         progress: Callable[[int, int], None] | None) -> Summary:
    _check_options(kind, options)
    if options.rejects and source.name != "stdin" and Path(options.rejects).expanduser().resolve() == \
            Path(source.name).expanduser().resolve():
        raise InputError("--rejects must name another file than the one being imported (it would be overwritten)")
    header = source.header()
    columns = Columns(kind, header, options.maps)
    if flag := _closed_flag(kind, columns, source):
        columns = Columns(kind, header, [*options.maps, f"{flag}=is_closed"])
    if options.key and options.key not in columns.fields:
        raise InputError(f"--key {options.key}: no column holds {options.key}; "
                         f"map one with --map COLUMN={options.key}")
    total = 0
    named: dict[str, set[str]] = {}  # with --create-stages: the file's stage names, folded → as written
    records = source.rows()
    while chunk := [cells for _, cells in islice(records, BATCH)]:
        columns.scan(chunk)
        if options.create_stages:
            _stage_names(columns, chunk, named)
        total += len(chunk)
    day_first = {index: options.date_format is None and order.day_first() for index, order in columns.orders.items()}
    summary = Summary(kind, unused=columns.unused, dry_run=options.dry_run)
    if flag:
        summary.notices.append(f"{flag}: its cells say yes or no, so it is read as whether each deal is closed "
                               "(is_closed), not when")
    rejects = Rejects(options.rejects, header) if options.rejects and not options.dry_run else None
    cache = book.value("PRAGMA cache_size")
    book.conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE}")
    try:
        with book.transaction():
            filled = _filled_first(book, kind, total)
            job = Job(book, kind, columns, options, summary, grouped=bool(filled))
            job.create_stages(named)
            with book.indexes_built_after(filled):
                records = source.rows()
                while chunk := [(line, Row(columns, cells, day_first, options.date_format))
                                for line, cells in islice(records, BATCH)]:
                    job.look_ahead([row for _, row in chunk])
                    for line, row in chunk:
                        summary.rows += 1
                        job.line = line
                        try:
                            job.handle(row)
                        except RowError as exc:
                            summary.rejected += 1
                            summary.errors.extend(f"line {line}: {column}: {problem}"
                                                  for column, problem in exc.problems)
                            del summary.errors[MAX_LISTED:]
                            if rejects:
                                rejects.write(row.cells, str(exc))
                        if progress and summary.rows % 1000 == 0:
                            progress(summary.rows, total)
                job.writer.flush()  # the last batch too, before the indexes are built
            job.finish()
            if summary.rejected and not options.skip_errors:
                raise InputError(_failure(summary))
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        book.conn.execute(f"PRAGMA cache_size = {cache}")
        if rejects:
            rejects.close()
    if progress:
        progress(total, total)
    return summary


def _stage_names(columns: Columns, chunk: list[list[str]], named: dict[str, set[str]]) -> None:
    """Collect the stage names a batch of rows gives (won and lost words close a deal: they name none)."""
    for stage in columns.distinct(chunk, "stage"):
        written = " ".join(stage.split())
        folded = fold(written)
        if folded not in WON_WORDS and folded not in LOST_WORDS:
            named.setdefault(folded, set()).add(written)


def _filled_first(book: Book, kind: str, rows: int) -> tuple[str, ...]:
    """The tables to fill first and index after (see `FILLED`): only when that pays, when the rows are at
    least as many as the book already has (rebuilding the indexes of a big book for a few rows costs more)."""
    tables = FILLED.get(kind, ())
    return tables if tables and rows >= book.value("SELECT count(*) FROM deals") else ()


def _check_options(kind: str, options: Options) -> None:
    if kind not in KINDS:
        raise InputError(f"cannot import {kind!r}; import one of {', '.join(KINDS)}")
    if options.rejects and not options.skip_errors:
        raise InputError("--rejects FILE goes with --skip-errors (bad rows are written there instead of "
                         "stopping the import)")
    if options.key and options.key not in KEYS.get(kind, ()):
        allowed = KEYS.get(kind)
        raise InputError(f"--key {options.key} is not a key for {kind}; "
                         + (f"use {' or '.join(allowed)}" if allowed else f"{kind} are always added, never updated"))
    if options.create_stages and kind != "deals":
        raise InputError("--create-stages applies to importing deals")


def _failure(summary: Summary) -> str:
    listed = "\n".join(summary.errors)
    more = summary.rejected - len(summary.errors)
    tail = f"\n… and more ({summary.rejected} rows in all)" if more > 0 else ""
    unread = ""
    if summary.unused:  # often the cause: the file's own headers, which no built-in alias knows
        unread = (f"\nColumns not recognised: {', '.join(summary.unused)}; map them with --map COLUMN=FIELD, "
                  f"fields: {', '.join(FIELDS[summary.kind])}")
    return (f"{counted(summary.rejected, 'row')} of {summary.rows} cannot be imported, so nothing was imported:\n"
            f"{listed}{tail}{unread}\n"
            "Fix them, or import the good rows with --skip-errors --rejects bad.csv")


class Rejects:
    """The rows left out by --skip-errors, as read, with an `error` column saying why."""

    def __init__(self, path: Path, header: list[str]):
        import csv

        try:
            self.file = Path(path).expanduser().open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"cannot write rejects to {path}: {exc.strerror}") from None
        self.writer = csv.writer(self.file)
        self.writer.writerow([*header, "error"])
        self.width = len(header)

    def write(self, cells: list[str], error: str) -> None:
        self.writer.writerow([*cells[:self.width], *[""] * (self.width - len(cells)), error])

    def close(self) -> None:
        self.file.close()


# The values among `?` (a JSON array) that stored rows have, by lookup kind; as `Job.find` compares them.
_PRESENT = {
    "email": "SELECT email_key FROM contacts WHERE email_key IN (SELECT value FROM json_each(?))",
    "phone": f"SELECT {PHONE_KEY_SQL} FROM contacts WHERE {PHONE_KEY_SQL} IN (SELECT value FROM json_each(?))",
    "external_id": "SELECT external_id FROM deals WHERE external_id IN (SELECT value FROM json_each(?))",
    "name": "SELECT folded FROM temp.import_names WHERE folded IN (SELECT value FROM json_each(?))",
}


class Job:
    """Turns checked rows into writes; knows how to find what is already in the book."""

    def __init__(self, book: Book, kind: str, columns: Columns, options: Options, summary: Summary,
                 grouped: bool = False):
        self.book, self.kind, self.columns, self.options, self.summary = book, kind, columns, options, summary
        self.writer = Writer(book, grouped)
        self.stages = {fold(stage["name"]): stage for stage in pipeline.stages(book)}
        self.moment = clock.now()
        self.now = when.to_text(self.moment)
        self.currency = settings.get(book, "currency")
        self.owner = settings.get(book, "owner")
        # Every column of a new deal with its default, for the row's values to replace (see create_deal): one
        # dict merge per deal rather than a lookup per column, and every deal of a batch has the same columns.
        self.new_deal = {"title": None, "contact_id": None, "value": 0, "currency": self.currency, "stage_id": None,
                         "status": None, "probability": None, "source": None, "owner": self.owner,
                         "expected_close": None, "tags": None, "created_at": None, "stage_entered_at": None,
                         "last_activity_at": None, "closed_at": None, "lost_reason": None, "lost_note": None,
                         "external_id": None}
        # folded → name: as listed (a book from before reasons were compared with ё as е may list two: the
        # first counts), else as deals already carry it (a reason taken off the list)
        carried = book.conn.execute("SELECT DISTINCT lost_reason FROM deals WHERE lost_reason IS NOT NULL")
        listed = book.conn.execute("SELECT name FROM reasons ORDER BY id DESC").fetchall()
        self.reasons = {fold(name): name for name, in [*carried, *listed]}
        self.listed_reasons = {fold(name) for name, in listed}
        self.used_reasons: set[str] = set()
        self.recorded: set[int] = set()  # deals given history entries after the ones they had (see update_deal)
        self.redated: list[dict[str, Any]] = []  # closes a re-import dates anew: their history entries follow
        self.number_field = NUMBERED if NUMBERED in columns.fields else None
        self.unmade: dict[str, str] = {}  # stage names --create-stages could not create: folded → why
        self.notices = summary.notices
        self.line = 0  # the file's line of the row being read, for notices
        self.planned: dict[str, Any] | None = None  # a new contact for the row (see person)
        self.filling: dict[str, Any] | None = None  # a found contact with what the row adds (see fill)
        self.handle = {"contacts": self.contact, "deals": self.deal, "activities": self.activity,
                       "tasks": self.task}[kind]

    def finish(self) -> None:
        self.writer.flush()
        self.writer.close()
        if self.kind == "deals":
            self.book.conn.executemany(  # after the rows are written and the history is indexed again
                """UPDATE stage_history SET at = :at WHERE id = (SELECT max(id) FROM stage_history
                   WHERE deal_id = :deal_id AND event = :event)""", self.redated)
            deals.end_visits(self.book, self.recorded)
            self.adopt_reasons()
            self.drop_unused_stages()

    def reason(self, written: str) -> str:
        """A loss reason as the managed list spells it (`PRICE` is filed as `price`, any case, ё as е); a new
        one is spelled as the file first writes it, and joins the list in `adopt_reasons`."""
        folded = fold(written)
        self.used_reasons.add(folded)
        return self.reasons.setdefault(folded, written)

    def adopt_reasons(self) -> None:
        """The file's reasons that are not on the list join it, when a deal it stored was lost for them."""
        import json

        new = [self.reasons[folded] for folded in self.used_reasons - self.listed_reasons]
        if new:
            self.book.conn.execute("INSERT INTO reasons (name) SELECT DISTINCT lost_reason FROM deals "
                                   "WHERE lost_reason IN (SELECT value FROM json_each(?))", (json.dumps(new),))

    # --- finding ---

    def find(self, kind: str, value: str) -> list[int]:
        """Contacts (or deals, for `external_id`) already known by a key, pending ones first."""
        if kind == "name":  # names are not unique: the stored ones and this file's
            pending = self.writer.named.get(value, ())
            if (kind, value) in self.writer.absent:
                return sorted(pending)
            self.writer.index_names()
            stored = [row[0] for row in self.book.conn.execute(
                "SELECT id FROM temp.import_names WHERE folded = ? ORDER BY id LIMIT 5", (value,))]
            return sorted({*stored, *pending})
        pending = self.writer.keys.get((kind, value))
        if pending:
            return [pending]
        if (kind, value) in self.writer.absent:
            return []
        if kind == "email":
            sql = "SELECT id FROM contacts WHERE email_key = ?"
        elif kind == "phone":
            sql = f"SELECT id FROM contacts WHERE {PHONE_KEY_SQL} = ?"
        else:
            sql = "SELECT id FROM deals WHERE external_id = ?"
        return [row[0] for row in self.book.conn.execute(sql, (value,))]

    def look_ahead(self, rows: list[Row]) -> None:
        """Learn with one query per kind which emails, phones, names and external ids of the next rows no stored
        row has, so that `find` answers those misses (most lookups of an import) without a query each.

        A key stays absent until this import stores a row with it, and every such row passes through
        `Writer.create` or `Writer.change`, which take the key out. Emails are keyed with `email_key`, the
        stored column; phones with `phone_key`, the indexed `PHONE_KEY_SQL`.
        """
        import json

        wanted: dict[str, set[str]] = {kind: set() for kind in _PRESENT}
        for row in rows:
            if email := row.text("email"):
                wanted["email"].add(email_key(email))
            if phone := digits(row.text("phone")):
                wanted["phone"].add(phone_key(phone))
            for name in ("external_id", "deal_external_id"):
                if external := row.text(name):
                    wanted["external_id"].add(external)
            if label := row.text("name") or row.text("contact") or row.text("company"):
                wanted["name"].add(fold(label))
        self.writer.index_names()
        absent = set()
        for kind, values in wanted.items():
            if values:
                present = {found[0] for found in self.book.conn.execute(_PRESENT[kind], (json.dumps([*values]),))}
                absent.update((kind, value) for value in values - present)
        self.writer.absent = absent.difference(self.writer.keys)  # pending rows will be stored with theirs

    def happened(self, row: Row, name: str, moment: when.Moment | None) -> None:
        """A time the file says something happened (created, closed, done, an activity) cannot be after now:
        it would give negative ages and visits that end before they begin. A whole day may be today."""
        if moment is not None and when.earlier(self.moment, moment):
            row.problem(name, f"{row.text(name)} is in the future (now is {self.now})")

    def stored(self, table: str, row_id: int) -> dict[str, Any]:
        return self.writer.pending(table, row_id) or self.book.row(f"SELECT * FROM {table} WHERE id = ?", (row_id,))

    def person(self, row: Row, name_field: str, *, create: bool = True,
               created: str | None = None) -> tuple[int | None, list[tuple[str, str]]]:
        """The contact a row names, matched by email, then phone, then name; or a new one.

        As `dealflow add` decides (one rule for the command line and files): a contact found by email or phone
        must carry a name that agrees with the row's; a row whose email and phone nobody has goes to the one
        contact of its name that lacks them (and fills them in: an earlier row of the file may have named the
        same person without them), else it is someone new; a name several contacts could be is a row error.

        A contact number (`contact_id`, as `export deals` writes it; `export contacts` writes it as `id`, mapped
        to it with `--map id=contact_id`) names the contact itself, so that two people of the same name stay
        two: the contact with that number, if it has the row's name, else a new contact given that number.

        Returns (id of an existing contact or None, keys); a new contact is only planned here: `keys` and
        `self.planned` describe it, and `adopt` creates it once the whole row is known to be good. So are the
        details a found contact lacks (`self.filling`, see `fill`).
        """
        self.planned = self.filling = None
        name, company = row.text(name_field), row.text("company") if "company" in FIELDS[self.kind] else None
        number_field = self.number_field
        number = row.read(number_field, _contact_number) if number_field else None
        if number is not None and (numbered := self.stored("contacts", number)):
            if name and fold(numbered["name"]) != fold(name):
                row.problem(number_field, f"contact #{number} is {numbered['name']!r}, not {name!r}")
            return number, []
        email, (phone, other_phones) = row.text("email"), contacts.split_phones(row.text("phone"))
        other_emails = self.other_details(row, phone, email, other_phones) if self.columns.extra_details else []
        phone_digits = digits(phone)
        if email and (" " in email or "@" not in email.strip("@")):
            row.problem("email", f"{email!r} is not an email address")
        if phone and not phone_digits:
            row.problem("phone", f"{phone!r} is not a phone number")
        by_email = self.find("email", email_key(email)) if email else []
        by_phone = self.find("phone", phone_key(phone_digits)) if phone_digits else []
        if by_email and by_phone and by_email[0] != by_phone[0]:
            row.problem("phone", f"the email belongs to contact #{by_email[0]} but the phone to #{by_phone[0]}")
        if (by_email or by_phone) and number is not None:
            row.problem("email" if by_email else "phone", f"{email if by_email else phone} belongs to contact "
                        f"#{(by_email or by_phone)[0]}, not to #{number}")
        tags, notes = self.tags_and_notes(row) if self.kind == "contacts" else (None, None)
        notes = self.with_others(notes, "phone", phone, other_phones)
        notes = self.with_others(notes, "email", email, other_emails)
        given = {"company": company, "email": email, "phone": phone, "source": row.text("source"),
                 "tags": tags, "notes": notes} if create else {}
        if by_email or by_phone:
            found = (by_email or by_phone)[0]
            known = self.stored("contacts", found)
            if name and not contacts.names_agree(name, known):
                if not by_email and contacts.has_extension(phone):
                    row.problem("phone", f"{phone} is the line of contact #{found} {known['name']!r} ({known['phone']});"
                                f" {contacts.ONE_NUMBER_ONE_CONTACT}: leave the phone out and keep {name}'s "
                                "extension in their notes")
                else:
                    row.problem(name_field, f"{email if by_email else phone} belongs to contact #{found} "
                                f"{known['name']!r}, not to {name!r}; give the right name, or leave the detail out")
            self.fill(row, known, given)
            return found, []
        label = name or company
        if label and number is None and (create or not (email or phone_digits)):
            named = self.find("name", fold(label))
            if email or phone_digits:  # only a contact that lacks them: one with others is someone else
                named = [found for found in named if self.lacks(self.stored("contacts", found), email, phone_digits)]
            if len(named) > 1:
                row.problem(name_field if name else "company", f"{len(named)} contacts are named {label!r}"
                            + ("" if email or phone_digits else "; add an email or phone column to tell them apart"))
            if named:
                self.fill(row, self.stored("contacts", named[0]), given)
                return named[0], []
        if not (label or email or phone_digits) or not create:
            return None, []
        self.planned = {"name": label or email or phone, "company": company, "email": email,
                        "email_key": email and email_key(email), "phone": phone,
                        "phone_digits": phone_digits, "source": row.text("source"), "tags": tags, "notes": notes,
                        "created_at": created or self.now}
        if number is not None:
            self.planned["id"] = number
        return None, self._contact_keys(self.planned)

    def notice(self, text: str) -> None:
        """Say what was done with the current row (the first few such rows: the rest are alike)."""
        if len(self.notices) < MAX_LISTED:
            self.notices.append(f"line {self.line}: {text}")

    @staticmethod
    def other_details(row: Row, phone: str | None, email: str | None, other_phones: list[str]) -> list[str]:
        """A row's other emails, with its other phones added to `other_phones`, when the file has several phone
        or email columns (amoCRM's work and mobile phones, work and personal emails): the contact keeps one of
        each; the others are theirs too, so they go to notes rather than away."""
        for text in row.others("phone"):
            first, rest = contacts.split_phones(text)
            other_phones += [first, *rest]
        other_phones[:] = _besides(phone, other_phones, lambda number: phone_key(digits(number) or "") or number)
        return _besides(email, row.others("email"), email_key)

    def with_others(self, notes: str | None, field: str, kept: str | None, others: list[str]) -> str | None:
        """A contact's notes with the phones or emails a row gave besides the one kept (said once per row)."""
        if not others:
            return notes
        listed = ", ".join(others)
        self.notice(f"{field}: {kept} is the contact's {field}; {listed} went to their notes")
        return "\n".join(part for part in (notes, f"Other {field}s: {listed}") if part)

    @staticmethod
    def lacks(contact: dict[str, Any], email: str | None, phone_digits: str | None) -> bool:
        """Whether a contact has none of the details a row gives (which nobody in the book has)."""
        return not (email and contact["email"]) and not (phone_digits and contact["phone_digits"])

    def fill(self, row: Row, contact: dict[str, Any], given: dict[str, str | None]) -> None:
        """Plan what a row adds to a contact it found, as `dealflow add` does: an empty field is filled, tags
        join theirs, new notes follow theirs; an email, phone or company that differs from theirs is a row
        error (neither dropped nor a second contact of the same person). A deal row's source is the deal's."""
        updates: dict[str, Any] = {}
        for field in ("company", "email", "phone", "source"):
            value = given.get(field)
            if not value or (field == "source" and self.kind != "contacts"):
                continue
            if not contact[field]:
                updates[field] = value
            elif field != "source" and not contacts.same_detail(field, contact[field], value):
                row.problem(field, f"contact #{contact['id']} {contact['name']!r} already has {field} "
                            f"{contact[field]}, not {value}")
        if given.get("tags"):
            updates["tags"] = tags_join([contact["tags"] or "", given["tags"]])
        notes = given.get("notes")
        if notes and notes not in (contact["notes"] or ""):
            updates["notes"] = f"{contact['notes']}\n{notes}" if contact["notes"] else notes
        changed = {**contact, **updates}
        if "phone" in updates:
            changed["phone_digits"] = digits(changed["phone"])
        if "email" in updates:
            changed["email_key"] = email_key(changed["email"])
        if changed != contact:
            self.filling = changed

    @staticmethod
    def tags_and_notes(row: Row) -> tuple[str | None, str | None]:
        """A contact row's tags and notes as `contacts.add` stores them (a deal row's tags are the deal's)."""
        tags = row.text("tags")
        return (tags_join([tags]) if tags else None), row.text("notes")

    @staticmethod
    def _contact_keys(contact: dict[str, Any]) -> list[tuple[str, str]]:
        keys = [("name", fold(contact["name"]))]
        if contact["email"]:
            keys.append(("email", email_key(contact["email"])))
        if contact["phone_digits"]:
            keys.append(("phone", phone_key(contact["phone_digits"])))
        return keys

    def adopt(self, contact_id: int | None, keys: list[tuple[str, str]]) -> int | None:
        """The row is good: count the matched contact (storing what it filled in), or create the planned one."""
        if contact_id is not None:
            if self.filling is not None:
                self.writer.change("contacts", self.filling, self._contact_keys(self.filling))
                self.summary.contacts_updated += 1
            else:
                self.summary.contacts_matched += 1
            return contact_id
        if self.planned is None:
            return None
        self.summary.contacts_created += 1
        return self.writer.create("contacts", self.planned, keys)

    def create_stages(self, named: dict[str, set[str]]) -> None:
        """--create-stages: every stage the file names that the pipeline lacks is added before any row is read,
        so that the pipeline (and the last stage, which closed deals without a stage are closed from) is the
        same whatever order the rows come in.

        New stages go in alphabetical order just before the first stage with a role (invoice, payment), else
        at the end: a stage of another CRM is not taken to be past invoicing, where every open deal in it
        would show up in the agenda as not invoiced. Each is spelled as the file first spells it in sort order.
        """
        roles = [stage for stage in self.stages.values() if stage["role"]]
        before = min(roles, key=lambda stage: stage["position"])["name"] if roles else None
        for folded in sorted(set(named) - set(self.stages)):
            try:
                created = pipeline.add(self.book, min(named[folded]), before=before)
            except InputError as exc:
                self.unmade[folded] = str(exc)
                continue
            self.summary.stages_created.append(created["name"])
        self.stages = {fold(stage["name"]): stage for stage in pipeline.stages(self.book)}

    def drop_unused_stages(self) -> None:
        """Stages created for rows that were all left out (--skip-errors) are not kept."""
        for name in list(self.summary.stages_created):
            stage = self.stages[fold(name)]
            if not self.book.value("SELECT count(*) FROM deals WHERE stage_id = ?", (stage["id"],)):
                pipeline.remove(self.book, name)
                self.summary.stages_created.remove(name)

    def stage(self, row: Row, name: str) -> dict[str, Any] | None:
        """A pipeline stage by name (any case, ё as е); with --create-stages the unknown ones were created up front."""
        folded = fold(" ".join(name.split()))
        found = self.stages.get(folded)
        if found or row.problems:
            return found
        if folded in self.unmade:
            row.problem("stage", self.unmade[folded])
        else:
            row.problem("stage", f"no stage {name!r} in the pipeline ({', '.join(s['name'] for s in self.stages.values())}); "
                        "add it with `dealflow stage add`, map the column elsewhere, or use --create-stages")
        return None

    def edge_stage(self, last: bool) -> dict[str, Any]:
        ordered = sorted(self.stages.values(), key=lambda stage: stage["position"])
        return ordered[-1 if last else 0]

    # --- deals ---

    def status(self, row: Row) -> tuple[str | None, str | None]:
        """(status if the row says one, stage name if it names an open stage).

        A status column (`Deal - Status`) wins over IsClosed/IsWon, which win over a won/lost stage word.
        A deal closed without IsWon is won when its stage is a won word, and lost otherwise.
        """
        stage_word = row.text("stage")
        word = fold(" ".join(stage_word.split())) if stage_word else None
        from_words = "won" if word in WON_WORDS else "lost" if word in LOST_WORDS else None
        stage = None if from_words else stage_word
        stated = row.text("status")
        if stated:
            folded = fold(" ".join(stated.split()))
            found = "won" if folded in WON_WORDS else "lost" if folded in LOST_WORDS else folded
            if found not in ("open", "won", "lost"):
                row.problem("status", f"{stated!r} is not a status; use open, won or lost")
                return None, stage
            if found == "open" and from_words:
                self.contradiction(row, "status", stage_word)
            return found, stage
        is_closed, is_won = row.read("is_closed", parse_bool), row.read("is_won", parse_bool)
        if is_closed is False:
            if from_words:
                self.contradiction(row, "is_closed", stage_word)
            return "open", stage
        if is_won is not None and (is_closed or is_won):
            return "won" if is_won else "lost", stage
        if is_closed and not from_words:  # Bitrix24's `Закрыта` says closed, not how: taken as lost
            self.notice(f"{row.column('is_closed')}: closed in stage {stage!r}, which names no win: "
                        "taken as lost (add a status column saying won or lost to tell)")
            return "lost", stage
        return from_words, stage

    @staticmethod
    def contradiction(row: Row, column: str, stage: str | None) -> None:
        row.problem(column, f"the stage {stage!r} closes the deal, but {row.text(column)!r} says it is open; "
                    "fix one of them")

    def deal(self, row: Row) -> None:
        values = self.deal_values(row)
        status, stage_name = self.status(row)
        created, closed = row.stamp("created"), row.stamp("closed")  # (moment, stored text)
        entered = row.stamp("stage_entered")
        expected = row.date("expected_close")
        if created is not None:
            self.happened(row, "created", created[0])
        if entered is not None:
            self.happened(row, "stage_entered", entered[0])
        if created and closed and when.as_datetime(closed[0]) < when.as_datetime(created[0]):
            created = closed  # a deal closed before it was created: take it as created when it closed
        external_id = values.get("external_id")
        existing = None
        if external_id:
            found = self.find("external_id", external_id)
            if found and self.options.key == "external_id":
                existing = self.stored("deals", found[0])
            elif found:
                row.problem("external_id", f"deal #{found[0]} already has external id {external_id!r}; "
                            "import with --key external_id to update deals instead of adding them")
        final_status = status or (existing or {}).get("status") or "open"
        if closed is not None and final_status != "open":  # an open deal's close date is its expected close
            self.happened(row, "closed", closed[0])
        created_text = (created or closed)[1] if (created or closed) else self.now
        contact_id, keys = self.person(row, "contact", created=created_text)
        if not values.get("title") and existing is None:
            fallback = row.text("contact") or row.text("company") or external_id
            if fallback:
                values["title"] = fallback
            else:
                row.problem("title", "a deal needs a title (or at least a contact or an id to name it by)")
        stage = self.stage(row, stage_name) if stage_name else None
        entered_text = self.stage_entered(row, entered, created_text if existing is None else existing["created_at"],
                                          closed)
        if existing is not None and closed and final_status != "open":
            if final_status != existing["status"]:
                self.closed_in_order(row, existing, closed)
            elif closed[1] != existing["closed_at"]:
                self.redated_in_order(row, existing, closed)
        row.check()
        if final_status != "lost" and ("lost_reason" in values or "lost_note" in values):
            self.unlost(row, final_status)
        if contact_id is not None or self.planned is not None:
            values["contact_id"] = self.adopt(contact_id, keys)
        if closed and final_status == "open" and not expected:
            expected = closed[0]
        if expected:
            values["expected_close"] = when.to_text(when.day_of(expected))
        closed_text = closed[1] if closed else None
        if existing is None:
            self.create_deal(values, status or "open", stage, created_text, closed_text, entered_text)
        else:
            self.update_deal(existing, values, status, stage, closed_text, entered_text)

    def unlost(self, row: Row, status: str) -> None:
        """Say that a won or open deal's loss reason or note is not kept: only a lost deal has them."""
        for name in ("lost_reason", "lost_note"):
            if (text := row.text(name)) is not None:
                self.notice(f"{row.column(name)}: {text!r} is not kept: the deal is {status}, and only "
                            "lost deals keep why they were lost")

    @staticmethod
    def stage_entered(row: Row, entered: tuple[when.Moment, str] | None, created: str,
                      closed: tuple[when.Moment, str] | None) -> str | None:
        """The stored text of when the deal entered its stage (as other CRMs export it), if the row gives one.

        Without it an open deal is taken to have sat in its stage since it was created, so years-old deals
        that moved on elsewhere would all show as stuck.
        """
        if entered is None:
            return None
        moment = when.as_datetime(entered[0])
        if moment < when.as_datetime(when.from_text(created)):
            row.problem("stage_entered", f"{entered[1]} is before the deal was created ({created})")
        elif closed and moment > when.as_datetime(closed[0]):
            row.problem("stage_entered", f"{entered[1]} is after the deal was closed ({closed[1]})")
        return entered[1]

    def deal_values(self, row: Row) -> dict[str, Any]:
        """The plain fields a row gives (only those it gives, so that an update keeps the rest)."""
        values: dict[str, Any] = {}
        for name in ("title", "owner", "source", "lost_reason", "lost_note", "external_id"):
            if (text := row.text(name)) is not None:
                values[name] = text
        if "lost_reason" in values:
            values["lost_reason"] = self.reason(values["lost_reason"])
        amount = row.read("value", parse_amount)
        written = amount[1] if amount else None
        if amount:
            values["value"] = amount[0]
        currency = row.read("currency", money.normalize_currency)
        if currency and written and currency != written:
            row.problem("value", f"the amount says {written} but the currency column says {currency}")
        if currency or written:
            values["currency"] = currency or written
        probability = row.read("probability", parse_probability)
        if probability is not None:
            values["probability"] = probability
        if (tags := row.text("tags")) is not None:
            values["tags"] = tags_join([tags])
        return values

    def create_deal(self, values: dict[str, Any], status: str, stage: dict[str, Any] | None, created: str,
                    closed: str | None, entered: str | None) -> None:
        """A new deal with the history its dates tell: created, then won or lost when it closed.

        A stage-entry date only sets how long the deal has been in its stage: the stages it passed through
        before are unknown, so the history does not invent them.
        """
        closed_at = (closed or created) if status != "open" else None
        stage = stage or self.edge_stage(last=status != "open")
        deal = {**self.new_deal, **values, "stage_id": stage["id"], "status": status, "created_at": created,
                "stage_entered_at": entered or created, "closed_at": closed_at}
        if status != "lost":
            deal["lost_reason"] = deal["lost_note"] = None
        keys = [("external_id", deal["external_id"])] if deal["external_id"] else []
        deal_id = self.writer.create("deals", deal, keys)
        # The two rows are new and in order, so the visit's end is known: the close, if it sorts after.
        ended = closed_at if closed_at and closed_at >= created else None
        self.history(deal_id, "created", None, stage["id"], created, ended)
        if closed_at:
            self.history(deal_id, status, stage["id"], stage["id"], closed_at)
        self.summary.deals_created += 1

    def closed_in_order(self, row: Row, old: dict[str, Any], closed: tuple[when.Moment, str]) -> None:
        """A re-import that closes a deal cannot date the close before the deal's last recorded change
        (as `dealflow won --at`): its history would go back in time. A whole day is compared as a day, so
        a close timed on the day of a whole-day change passes it, and must then not come before the times
        recorded that day either (`deals.later_step`). History is read only in that case: the deal's fields
        settle every other one, and a big import runs without the history's index."""
        since = old["closed_at"] if old["status"] != "open" else old["stage_entered_at"]
        if when.earlier(closed[0], when.from_text(since)):
            done, at = "entered its current state", since
        elif len(since) == 10 and len(closed[1]) > 10 and closed[1][:10] == since and \
                (step := deals.later_step(self.book, old["id"], closed[0])):
            done, at = deals.step_text(step), step["at"]
        else:
            return
        self.back_in_time(row, old, closed, done, at)

    def redated_in_order(self, row: Row, old: dict[str, Any], closed: tuple[when.Moment, str]) -> None:
        """A re-import may date a deal's close anew (the old CRM knew better), but not before the deal was
        created or entered the stage it was closed from."""
        for since, done in ((old["created_at"], "was created"), (old["stage_entered_at"], "entered its stage")):
            if when.earlier(closed[0], when.from_text(since)):
                self.back_in_time(row, old, closed, done, since)
                return

    @staticmethod
    def back_in_time(row: Row, old: dict[str, Any], closed: tuple[when.Moment, str], done: str, at: str) -> None:
        row.problem("closed", f"{closed[1]} is before deal #{old['id']} {done} ({at}); "
                    "its history would go back in time")

    def update_deal(self, old: dict[str, Any], values: dict[str, Any], status: str | None,
                    stage: dict[str, Any] | None, closed: str | None, entered: str | None) -> None:
        """Re-import with --key: the given fields replace the stored ones; stage and status changes are
        recorded in the history in order: as of now (when the import learned of them), or, for a deal the
        file closes, at its close (a stage it names is the one it was closed from, so it moved there by then).
        A deal that stays closed keeps the stage its history says it was closed from. A stage-entry date the
        row gives is how long an open deal has been in its stage."""
        deal = {**old, **values}
        status = status or old["status"]
        closing = status != "open" and status != old["status"]
        at = (closed or self.now) if closing else self.now
        stage_id = stage["id"] if stage and (status == "open" or closing) else old["stage_id"]
        if old["status"] != "open" and (status == "open" or closing):
            self.history(old["id"], "reopened", old["stage_id"], stage_id, at)
            deal.update(closed_at=None, lost_reason=None, lost_note=None, stage_entered_at=at)
        elif old["status"] == "open" and stage_id != old["stage_id"]:
            self.history(old["id"], "moved", old["stage_id"], stage_id, at)
            deal["stage_entered_at"] = at
        if closing:
            deal["closed_at"] = at
            self.history(old["id"], status, stage_id, stage_id, at)
        elif status != "open" and closed and closed != old["closed_at"]:  # the same close, dated anew
            deal["closed_at"] = closed
            self.redated.append({"deal_id": old["id"], "event": status, "at": closed})
            self.recorded.add(old["id"])
        if status != "lost":
            deal.update(lost_reason=None, lost_note=None)
        if (status, stage_id) != (old["status"], old["stage_id"]):
            self.recorded.add(old["id"])  # the new entries end the deal's current visit: see finish()
        deal.update(status=status, stage_id=stage_id)
        if entered and status == "open":
            deal["stage_entered_at"] = entered
        self.writer.change("deals", deal)
        self.summary.deals_updated += 1

    def history(self, deal_id: int, event: str, from_stage: int | None, to_stage: int, at: str,
                left_at: str | None = None) -> None:
        self.writer.append("stage_history", {"deal_id": deal_id, "event": event, "from_stage_id": from_stage,
                                             "to_stage_id": to_stage, "at": at, "note": "imported",
                                             "left_at": left_at})

    # --- contacts ---

    def contact(self, row: Row) -> None:
        created = row.date("created")
        self.happened(row, "created", created)
        key = self.options.key
        if key:
            contact_id, keys = self.keyed_contact(row, key, when.to_text(created) if created else None)
        else:
            contact_id, keys = self.person(row, "name", created=when.to_text(created) if created else None)
        row.check()
        if contact_id is None:
            self.adopt(None, keys)
        elif key:
            self.update_contact(row, contact_id)
        else:
            self.adopt(contact_id, [])

    def keyed_contact(self, row: Row, key: str, created: str | None) -> tuple[int | None, list[tuple[str, str]]]:
        """With --key, a row matches the contact with the same key value only (and updates it)."""
        value = row.text(key)
        if value is None:
            row.problem(key, f"empty {key}: with --key {key} every row needs one")
            return None, []
        phone = digits(contacts.split_phones(value)[0]) or ""
        lookup = {"email": email_key(value), "phone": phone_key(phone), "name": fold(value)}[key]
        found = self.find(key, lookup)
        if len(found) > 1:
            row.problem(key, f"{len(found)} contacts have {key} {value!r}")
        if found:
            return found[0], []
        return self.person(row, "name", created=created)

    def update_contact(self, row: Row, contact_id: int) -> None:
        """The given fields replace the stored ones; an email or phone another contact has is refused."""
        contact = dict(self.stored("contacts", contact_id))
        for name in ("name", "company", "email", "phone", "source"):
            if (text := row.text(name)) is not None:
                contact[name] = text
        tags, notes = self.tags_and_notes(row)
        contact["phone"], other_phones = contacts.split_phones(contact["phone"])
        other_emails = self.other_details(row, contact["phone"], contact["email"], other_phones) \
            if self.columns.extra_details else []
        notes = self.with_others(notes, "phone", contact["phone"], other_phones)
        notes = self.with_others(notes, "email", contact["email"], other_emails)
        contact.update({name: value for name, value in (("tags", tags), ("notes", notes)) if value is not None})
        contact["phone_digits"] = digits(contact["phone"])
        contact["email_key"] = contact["email"] and email_key(contact["email"])
        phone = contact["phone_digits"] and phone_key(contact["phone_digits"])
        for key, value, shown in (("email", email_key(contact["email"] or ""), contact["email"]),
                                  ("phone", phone, contact["phone_digits"])):
            others = [other for other in self.find(key, value) if other != contact_id] if value else []
            if others:
                row.problem(key, f"{shown} already belongs to contact #{others[0]}")
        row.check()
        self.writer.change("contacts", contact, self._contact_keys(contact))
        self.summary.contacts_updated += 1

    # --- activities and tasks ---

    def links(self, row: Row) -> tuple[int | None, int | None]:
        """(deal id, contact id) a row names: its deal by deal_external_id or deal_id, its contact by number
        (contact_id), email, phone or name (else the deal's contact). Both must already exist."""
        deal = None
        if (external := row.text("deal_external_id")) is not None:
            found = self.find("external_id", external)
            if not found:
                row.problem("deal_external_id", f"no deal has external id {external!r}")
            deal = found[0] if found else None
        elif (number := row.text("deal_id")) is not None:
            deal = self.book.value("SELECT id FROM deals WHERE id = ?", (number.lstrip("#"),))
            if deal is None:
                row.problem("deal_id", f"no deal #{number}")
        contact, _ = self.person(row, "contact", create=False)
        named = any(row.text(name) for name in CONTACT_REFS)
        if named and contact is None and not row.problems:
            row.problem(next(name for name in CONTACT_REFS if row.text(name)), "no such contact in the book")
        if deal is None and not named and not row.problems:
            row.problem("deal_id", "name a deal (deal_external_id or deal_id) or a contact (contact, email or phone)")
        if deal is not None and contact is None:
            contact = self.book.value("SELECT contact_id FROM deals WHERE id = ?", (deal,))
        return deal, contact

    def activity(self, row: Row) -> None:
        kind = (row.text("kind") or "").casefold()
        if kind not in activities.KINDS:
            row.problem("kind", f"{row.text('kind') or 'an empty kind'!r} is not an activity kind; "
                        f"use {', '.join(activities.KINDS)}")
        direction = (row.text("direction") or "").casefold() or None
        if direction not in (None, "in", "out"):
            row.problem("direction", f"{direction!r} is not a direction; use in or out")
        missed = row.read("missed", parse_bool)
        duration = row.read("duration_s", _whole_number)
        at = row.date("at")
        self.happened(row, "at", at)
        deal, contact = self.links(row)
        row.check()
        self.writer.append("activities", {
            "deal_id": deal, "contact_id": contact, "kind": kind, "direction": direction, "missed": int(bool(missed)),
            "duration_s": duration, "note": row.text("note"), "owner": row.text("owner"),
            "at": when.to_text(at) if at else self.now})
        self.summary.activities_created += 1

    def task(self, row: Row) -> None:
        text = row.text("text")
        if not text:
            row.problem("text", "a task needs some text")
        origin = (row.text("origin") or "manual").casefold()
        if origin not in ("manual", "stage", "missed-call", "cadence"):
            row.problem("origin", f"{origin!r} is not a task origin; use manual, stage, missed-call or cadence")
        due, done, created = row.date("due"), row.date("done_at"), row.date("created")
        self.happened(row, "done_at", done)
        self.happened(row, "created", created)
        deal, contact = self.links(row)
        row.check()
        self.writer.append("tasks", {
            "text": text, "due": when.to_text(due) if due else clock.today().isoformat(), "deal_id": deal,
            "contact_id": contact, "origin": origin, "created_at": when.to_text(created) if created else self.now,
            "done_at": when.to_text(done) if done else None})
        self.summary.tasks_created += 1


def _contact_number(text: str) -> int:
    """A contact's number in a dealflow book (as `export` writes it); other CRMs' ids are not."""
    if not text.strip().isdigit():
        raise InputError(f"{text!r} is not a contact number of a dealflow book; if it is another CRM's id, "
                         "leave the column out with --map \"COLUMN=\"")
    return int(text)


def _whole_number(text: str) -> int:
    if not text.strip().isdigit():
        raise InputError(f"{text!r} is not a whole number")
    return int(text)


def _besides(kept: str | None, values: list[str], key: Callable[[str], str]) -> list[str]:
    """`values` without repeats, of one another or of `kept`, in another spelling (`8 916…` is `+7 916…`)."""
    seen = {key(kept)} if kept else set()
    distinct = []
    for value in values:
        if key(value) not in seen:
            seen.add(key(value))
            distinct.append(value)
    return distinct
