"""Reading an import file's columns: which header feeds which field (with the built-in aliases of common
CRM exports and `--map`), and one row's values, dates and problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from dealflow.core import when
from dealflow.core.errors import InputError
from dealflow.core.import_values import DateOrder, is_yes_or_no, local_iso, parse_date

CONTACT_REFS = ("contact_id", "contact", "email", "phone")  # contact_id: the number `export` writes
_DEAL_REFS = ("deal_external_id", "deal_id")
FIELDS = {
    "contacts": ("contact_id", "name", "first_name", "middle_name", "last_name", "company", "email", "phone",
                 "source", "tags", "notes", "created"),
    "deals": ("title", "value", "currency", "stage", "status", "is_won", "is_closed", "owner", "source",
              "contact", "contact_id", "company", "email", "phone", "created", "closed", "stage_entered", "expected_close", "probability",
              "lost_reason", "lost_note", "tags", "external_id"),
    "activities": ("kind", "note", "at", *_DEAL_REFS, *CONTACT_REFS, "direction", "missed", "duration_s",
                   "owner"),
    "tasks": ("text", "due", "done_at", *_DEAL_REFS, *CONTACT_REFS, "origin", "created"),
}
DATE_FIELDS = frozenset({"created", "closed", "stage_entered", "expected_close", "at", "due", "done_at"})

_GENERIC = {"created_at": "created", "closed_at": "closed", "amount": "value", "organization": "company",
            "e-mail": "email", "mobile": "phone", "stage_entered_at": "stage_entered",
            "stage_changed": "stage_entered", "created on": "created", "date created": "created",
            "closing date": "closed", "responsible": "owner", "responsible person": "owner"}
_PIPEDRIVE = {
    "Deal - Title": "title", "Deal - Value": "value", "Deal - Currency of Value": "currency",
    "Deal - Stage": "stage", "Deal - Status": "status", "Deal - Owner": "owner",
    "Deal - Contact person": "contact", "Deal - Organization": "company", "Deal - Deal created": "created",
    "Deal - Won time": "closed", "Deal - Lost time": "closed", "Deal - Lost reason": "lost_reason",
    "Deal - Expected close date": "expected_close", "Deal - ID": "external_id", "Deal - Source": "source",
    "Deal - Last stage change": "stage_entered", "Deal - Probability": "probability",
    "Person - Name": "contact", "Person - Email": "email", "Person - Phone": "phone",
}
_HUBSPOT = {"Record ID": "external_id", "Deal Name": "title", "Amount": "value", "Deal Stage": "stage",
            "Close Date": "closed", "Create Date": "created", "Deal owner": "owner"}
_SALESFORCE = {"Id": "external_id", "Name": "title", "StageName": "stage", "Amount": "value",
               "Probability": "probability", "CloseDate": "closed", "CreatedDate": "created",
               "LeadSource": "source", "IsClosed": "is_closed", "IsWon": "is_won",
               "LastStageChangeDate": "stage_entered"}
_AMOCRM = {"ID": "external_id", "Название сделки": "title", "Бюджет": "value", "Ответственный": "owner",
           "Дата создания сделки": "created", "Дата закрытия": "closed", "Этап сделки": "stage", "Теги": "tags",
           "Полное имя контакта": "contact", "Компания контакта": "company", "Рабочий телефон": "phone",
           "Мобильный телефон": "phone", "Рабочий email": "email", "Личный email": "email",
           "Источник": "source"}
# Bitrix24's deal list exported from its Russian interface. Its `Дата завершения` is the expected close of an
# open deal and the close of a closed one, which is what our `closed` means too.
_BITRIX24 = {"Название сделки": "title", "Сделка": "title", "Стадия сделки": "stage", "Сумма": "value",
             "Валюта": "currency", "Контакт": "contact", "Клиент": "contact", "Компания": "company",
             "Дата создания": "created", "Дата завершения": "closed", "Предполагаемая дата закрытия": "closed",
             "Закрыта": "is_closed", "Вероятность": "probability", "Ответственный": "owner", "Источник": "source"}
# Name parts (`first_name` …) are joined into the name when the file has no full-name column.
_PEOPLE = {"Person - Name": "name", "Person - Email": "email", "Person - Phone": "phone",
           "Person - Organization": "company", "Полное имя контакта": "name", "Компания контакта": "company",
           "Рабочий телефон": "phone", "Мобильный телефон": "phone", "Рабочий email": "email",
           "Личный email": "email", "Источник": "source", "Теги": "tags", "contact": "name", "full name": "name",
           "Дата создания": "created", "created_at": "created", "organization": "company", "e-mail": "email",
           "mobile": "phone", "LeadSource": "source", "Create Date": "created", "CreatedDate": "created",
           "Имя": "first_name", "Отчество": "middle_name", "Фамилия": "last_name", "Компания": "company",
           "Телефон": "phone", "Рабочий e-mail": "email", "Частный e-mail": "email", "Комментарий": "notes",
           "Person - First name": "first_name", "Person - Last name": "last_name", "First Name": "first_name",
           "Last Name": "last_name", "FirstName": "first_name", "LastName": "last_name",
           "Phone Number": "phone", "MobilePhone": "phone", "Company Name": "company"}
NAME_PARTS = ("first_name", "middle_name", "last_name")
_ACTIVITY_HEADERS = {"type": "kind", "date": "at", "comment": "note", "deal": "deal_id", "deal_external": "deal_external_id"}
_TASK_HEADERS = {"task": "text", "subject": "text", "due date": "due", "deadline": "due", "deal": "deal_id",
         "created_at": "created", "completed": "done_at"}


def _key(header: str) -> str:
    """Headers match case- and space-insensitively (`Deal - Title` = `deal-title`, `created_at` = `Created At`)."""
    return re.sub(r"[\s_]+", "", header.casefold())


def _aliases(*tables: dict[str, str]) -> dict[str, str]:
    return {_key(header): name for table in tables for header, name in table.items()}


ALIASES = {
    "contacts": _aliases(_PEOPLE),
    "deals": _aliases(_GENERIC, _PIPEDRIVE, _HUBSPOT, _SALESFORCE, _AMOCRM, _BITRIX24),
    "activities": _aliases(_ACTIVITY_HEADERS, {"e-mail": "email"}),
    "tasks": _aliases(_TASK_HEADERS, {"e-mail": "email"}),
}


class RowError(Exception):
    """A row that cannot be imported; `problems` are (column, what is wrong)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{column}: {problem}" for column, problem in problems))
        self.problems = problems



class Columns:
    """Which file columns feed which field, and how each date column orders day and month."""

    def __init__(self, kind: str, header: list[str], maps: list[str]):
        self.header = header
        wanted = self._parse_maps(kind, header, maps)
        self.mapped = set(wanted)
        best: dict[str, tuple[int, list[int]]] = {}
        self.unused: list[str] = []
        for index, name in enumerate(header):
            level, target = self._target(kind, name, wanted)
            if target is None:
                if level is None and name:
                    self.unused.append(name)
                continue
            rank, indexes = best.get(target, (level, []))
            if level < rank:
                self.unused.extend(header[i] for i in indexes)
                rank, indexes = level, []
            if level == rank:
                indexes.append(index)
            else:
                self.unused.append(name)
            best[target] = (rank, indexes)
        self.fields = {name: indexes for name, (_, indexes) in best.items()}
        if not self.fields:
            raise InputError(f"none of the columns ({', '.join(header)}) is a {kind} field; "
                             f"map them with --map COLUMN=FIELD (fields: {', '.join(FIELDS[kind])})")
        self.single = [(name, indexes[0]) for name, indexes in self.fields.items() if len(indexes) == 1]
        # The single-column fields' cells in one call, for rows that have all of them (nearly every row).
        self.single_names = [name for name, _ in self.single]
        self.single_cells = itemgetter(*(index for _, index in self.single), 0, 0)  # 0, 0: always a tuple
        self.single_width = max((index for _, index in self.single), default=0) + 1
        self.several = [(name, indexes) for name, indexes in self.fields.items() if len(indexes) > 1]
        self.several_names = frozenset(name for name, _ in self.several)
        self.extra_details = not self.several_names.isdisjoint(("phone", "email"))  # see Job.other_details
        self.name_parts = [name for name in NAME_PARTS if name in self.fields]
        self.orders: dict[int, DateOrder] = {i: DateOrder(header[i]) for name in DATE_FIELDS & set(self.fields)
                                             for i in self.fields[name]}

    @staticmethod
    def _parse_maps(kind: str, header: list[str], maps: list[str]) -> dict[str, str | None]:
        """`--map SRC=FIELD` (an empty FIELD ignores the column) → {header key: field or None}."""
        known = {_key(name) for name in header}
        wanted: dict[str, str | None] = {}
        for text in maps:
            source, sep, target = text.rpartition("=")
            if not sep or not source.strip():
                raise InputError(f"--map {text!r}: write it as COLUMN=FIELD, e.g. --map \"Сумма=value\"")
            if _key(source) not in known:
                raise InputError(f"--map {text!r}: the file has no column {source.strip()!r}; "
                                 f"its columns are: {', '.join(header)}")
            target = target.strip().casefold()
            if target and target not in FIELDS[kind]:
                raise InputError(f"--map {text!r}: {target!r} is not a field of {kind}; "
                                 f"use one of {', '.join(FIELDS[kind])}")
            wanted[_key(source)] = target or None
        return wanted

    @staticmethod
    def _target(kind: str, name: str, wanted: dict[str, str | None]) -> tuple[int | None, str | None]:
        """(precedence, field): --map beats an exact field name, which beats a CRM alias."""
        key = _key(name)
        if key in wanted:
            return 0, wanted[key]
        exact = {_key(f): f for f in FIELDS[kind]}
        if key in exact:
            return 1, exact[key]
        if key in ALIASES[kind]:
            return 2, ALIASES[kind][key]
        return None, None

    def values(self, cells: list[str]) -> dict[str, str]:
        """Every field's first non-empty value, trimmed; fields without one are left out.

        Read once per row in one pass: a row's handler asks for most fields, several of them more than once.
        """
        width = len(cells)
        if width >= self.single_width:
            found = {name: text for name, cell in zip(self.single_names, self.single_cells(cells))
                     if (text := cell.strip())}
        else:
            found = {name: text for name, index in self.single if index < width and (text := cells[index].strip())}
        for name, indexes in self.several:
            for index in indexes:
                if index < width and (text := cells[index].strip()):
                    found[name] = text
                    break
        if self.name_parts and "name" not in found:
            if parts := [found[part] for part in self.name_parts if part in found]:
                found["name"] = " ".join(parts)
        return found

    def yes_or_no(self, rows: list[list[str]], name: str) -> str | None:
        """The header of `name`'s column when the file's own header put it there (not `--map`) and its cells
        say yes or no rather than give a date: Bitrix24's English `Closed` is Y or N."""
        indexes = self.fields.get(name, ())
        if len(indexes) != 1 or _key(self.header[indexes[0]]) in self.mapped:
            return None
        index = indexes[0]
        cells = [text for row in rows if index < len(row) and (text := row[index].strip())]
        return self.header[index] if cells and all(map(is_yes_or_no, cells)) else None

    def others(self, cells: list[str], name: str) -> list[str]:
        """What a field's other columns hold besides the value `values` took (a second phone column, say)."""
        if name not in self.several_names:
            return []
        return [text for index in self.fields[name] if index < len(cells) and (text := cells[index].strip())][1:]

    def distinct(self, rows: list[list[str]], name: str) -> set[str]:
        """The different values a field takes in a batch of rows, as `values` reads them; read straight from
        its column when it has one (a pass over the file's stages should not cost a pass over every field)."""
        indexes = self.fields.get(name, ())
        if len(indexes) != 1:
            return {found for cells in rows if (found := self.values(cells).get(name))}
        index = indexes[0]
        return {text for cells in rows if index < len(cells) and (text := cells[index].strip())}

    def source(self, cells: list[str], name: str) -> str:
        """The column a field's value came from (its first column when empty; the field's name if unmapped)."""
        indexes = self.fields.get(name, ())
        if not indexes and name == "name":  # a name joined from its parts: theirs
            indexes = [index for part in self.name_parts for index in self.fields[part]]
        for index in indexes:
            if index < len(cells) and cells[index].strip():
                return self.header[index]
        return self.header[indexes[0]] if indexes else name

    def scan(self, rows: list[list[str]]) -> None:
        """First pass: let every date column see the values of a batch of rows, column by column."""
        for index, order in self.orders.items():
            order.observe_all([cells[index] for cells in rows if index < len(cells)])


class Row:
    """One record being read: values by field, with problems collected rather than raised one by one."""

    def __init__(self, columns: Columns, cells: list[str], day_first: dict[int, bool], date_format: str | None):
        self.columns, self.cells = columns, cells
        self.day_first, self.date_format = day_first, date_format
        self.problems: list[tuple[str, str]] = []
        self.values = columns.values(cells)
        # A field's value or None. Asked for some twenty times per row: the dict's own get is the cheapest.
        self.text: Callable[[str], str | None] = self.values.get

    def column(self, name: str) -> str:
        return self.columns.source(self.cells, name)

    def others(self, name: str) -> list[str]:
        return self.columns.others(self.cells, name)

    def problem(self, name: str, message: str) -> None:
        self.problems.append((self.column(name), message))

    def read(self, name: str, reader: Callable[[str], Any]) -> Any:
        """A cell through a parser; a parse error becomes a problem of this row and the value None."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return reader(raw)
        except InputError as exc:
            self.problem(name, str(exc))
            return None

    def date(self, name: str) -> when.Moment | None:
        if name not in self.values:
            return None
        indexes = self.columns.fields[name]
        for index in indexes:
            if index < len(self.cells) and self.cells[index].strip():
                try:
                    found = parse_date(self.cells[index], self.day_first[index], self.date_format)
                except InputError as exc:
                    self.problems.append((self.columns.header[index], str(exc)))
                    return None
                if found is not None:
                    return found
        return None

    def stamp(self, name: str) -> tuple[when.Moment, str] | None:
        """`date` with the moment's stored text (`when.to_text`).

        The text of the common `YYYY-MM-DD HH:MM` cell is built directly (see `local_iso`): formatting
        a datetime back to text costs more than the rest of reading it.
        """
        raw = self.text(name)
        if raw is not None and self.date_format is None and (found := local_iso(raw)):
            return found
        moment = self.date(name)
        return None if moment is None else (moment, when.to_text(moment))

    def check(self) -> None:
        if self.problems:
            raise RowError(self.problems)
