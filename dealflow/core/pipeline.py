"""The pipeline: the ordered open stages, their probabilities, limits, entry tasks and roles.

A removed stage that history names stays in the table with `removed_at` set (schema V5); it is not part of
the pipeline, so everything that lists, counts or resolves stages asks `removed_at IS NULL`.
"""

from __future__ import annotations


from dealflow.core import when
from dealflow.core.book import Book
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound
from dealflow.core.text import clean, counted, fold

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any

ROLES = ("invoice", "payment")
# A deal's chance in SQL (deals `d`, stages `s`): 100 won, 0 lost, else its own override or its stage's.
PROBABILITY_SQL = ("CASE d.status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 "
                   "ELSE coalesce(d.probability, s.probability) END")


class StageSpec:
    """A stage as defined before it is stored (built-in tables and TOML files)."""

    __slots__ = ("name", "probability", "max_days", "role", "task", "task_due")

    def __init__(self, name: str, probability: int, max_days: int | None = None, role: str | None = None,
                 task: str | None = None, task_due: str = "+1d"):
        self.name, self.probability, self.max_days = name, probability, max_days
        self.role, self.task, self.task_due = role, task, task_due


def _numbers(names: list[str], numbers: list[tuple[int, int | None, str | None]]) -> list[StageSpec]:
    return [StageSpec(name, *spec) for name, spec in zip(names, numbers, strict=True)]


_CLASSIC = [(10, 7, None), (40, 14, None), (70, 14, "invoice"), (90, 14, "payment")]
_AMOCRM = [(5, 1, None), (10, 2, None), (20, 5, None), (40, 7, None), (60, 10, None), (80, 7, "invoice"),
           (95, 3, "payment")]

BUILTIN: dict[str, list[StageSpec]] = {
    "default": _numbers(["Lead", "Qualified", "Proposal", "Negotiation", "Invoiced"],
                        [(10, 1, None), (25, 7, None), (50, 10, None), (70, 14, None), (90, 14, "invoice")]),
    "classic": _numbers(["Intro", "Proposal", "Purchase", "Delivery"], _CLASSIC),
    "classic-ru": _numbers(["Знакомство", "Коммерческое предложение", "Покупка", "Доставка и установка"], _CLASSIC),
    "amocrm": _numbers(["New", "Processing", "Qualification", "Proposal", "Negotiation", "Invoice", "Payment"],
                       _AMOCRM),
    "amocrm-ru": _numbers(["Новая", "Обработка", "Квалификация", "Предложение", "Согласование",
                           "Выставление счета", "Оплата"], _AMOCRM),
}


def stages(book: Book) -> list[dict[str, Any]]:
    """Every stage in pipeline order, with the number of open deals in each."""
    return book.rows(
        """SELECT s.id, s.position, s.name, s.probability, s.max_days, s.task, s.task_due, s.role,
                  (SELECT count(*) FROM deals d WHERE d.stage_id = s.id AND d.status = 'open') AS open_deals
           FROM stages s WHERE s.removed_at IS NULL ORDER BY s.position"""
    )


def resolve(book: Book, ref: str) -> dict[str, Any]:
    """A stage by name (any case, Cyrillic too, ё as е) or unique prefix: `prop` → Proposal."""
    wanted = fold(ref.strip())
    every = stages(book)
    exact = [stage for stage in every if fold(stage["name"]) == wanted]
    if exact:
        return exact[0]
    prefixed = [stage for stage in every if fold(stage["name"]).startswith(wanted)] if wanted else []
    if len(prefixed) == 1:
        return prefixed[0]
    names = ", ".join(stage["name"] for stage in (prefixed or every))
    if prefixed:
        raise Ambiguous(f"stage {ref!r} could be any of: {names}; type more of the name")
    raise NotFound(f"no stage {ref!r}; the stages are: {names}")


def by_role(book: Book, role: str) -> dict[str, Any] | None:
    return book.row("SELECT * FROM stages WHERE role = ?", (role,))


def first(book: Book) -> dict[str, Any]:
    return book.row("SELECT * FROM stages WHERE removed_at IS NULL ORDER BY position LIMIT 1")


def next_after(book: Book, stage_id: int) -> dict[str, Any] | None:
    return book.row(
        """SELECT * FROM stages WHERE removed_at IS NULL AND position > (SELECT position FROM stages WHERE id = ?)
           ORDER BY position LIMIT 1""",
        (stage_id,),
    )


def load(name_or_file: str) -> list[StageSpec]:
    """A built-in pipeline by name, a TOML file of `[[stage]]` tables, or the stages of another book as
    `dealflow export stages` writes them (CSV, JSON or JSON lines, by the file's suffix)."""
    if name_or_file in BUILTIN:
        return BUILTIN[name_or_file]
    from pathlib import Path  # lazily, like tomllib: only pipeline files need them

    path = Path(name_or_file).expanduser()
    if not path.is_file():
        raise NotFound(f"no pipeline {name_or_file!r}; use one of {', '.join(BUILTIN)}, a .toml file "
                       "or a file of `dealflow export stages`")
    specs = _specs_from_toml(path) if path.suffix.casefold() == ".toml" else _specs_from_export(path)
    try:
        _check_together(specs)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None  # like every other mistake in the file, named by it
    return specs


def _specs_from_toml(path: Any) -> list[StageSpec]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    tables = data.get("stage")
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{path}: define the stages as [[stage]] tables with at least a name")
    return [_spec_from_toml(str(path), index, table) for index, table in enumerate(tables, 1)]


EXPORTED = ("position", "name", "probability", "max_days", "role", "task", "task_due")  # `export stages`


def _specs_from_export(path: Any) -> list[StageSpec]:
    """The stages of `dealflow export stages`, in the order of their `position`: so a book moved to a new
    file keeps its pipeline (order, probabilities, limits, roles and entry tasks)."""
    import csv
    import io
    import json

    suffix = path.suffix.casefold()
    try:
        text = path.read_text(encoding="utf-8-sig")
        if suffix == ".json":
            rows = json.loads(text)
        elif suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise InputError(f"{path}: not a stages export ({exc}); write one with `dealflow export stages`") from None
    if not rows or not isinstance(rows, list) or not all(isinstance(row, dict) and "name" in row for row in rows):
        raise InputError(f"{path}: not a stages export (columns {', '.join(EXPORTED)}); "
                         "write one with `dealflow export stages`, or use a .toml file")
    tables = []
    for index, row in enumerate(rows, 1):
        table = {key: value for key, value in row.items() if value not in (None, "") and key != "position"}
        for key in ("probability", "max_days"):
            if isinstance(table.get(key), str):
                try:
                    table[key] = int(table[key])
                except ValueError:
                    raise InputError(f"{path}: stage {index}: {key} {table[key]!r} is not a whole number") from None
        if "role" in table:
            table["on"] = table.pop("role")
        tables.append(table)
    order = [row.get("position") for row in rows]
    if all(str(position).isdigit() for position in order):
        tables = [table for _, table in sorted(zip((int(p) for p in order), tables), key=lambda pair: pair[0])]
    return [_spec_from_toml(str(path), index, table) for index, table in enumerate(tables, 1)]


def _spec_from_toml(path: str, index: int, table: dict[str, Any]) -> StageSpec:
    known = {"name", "probability", "max_days", "task", "task_due", "on"}
    unknown = set(table) - known
    if unknown:
        raise InputError(f"{path}: stage {index}: {counted(len(unknown), 'unknown field')} "
                         f"({', '.join(sorted(unknown))}); use {', '.join(sorted(known))}")
    try:
        return _validated(StageSpec(
            name=str(table["name"]),
            probability=table.get("probability", 0),
            max_days=table.get("max_days"),
            role=table.get("on"),
            task=table.get("task"),
            task_due=str(table.get("task_due", "+1d")),
        ))
    except KeyError:
        raise InputError(f"{path}: stage {index} has no name") from None
    except InputError as exc:
        raise InputError(f"{path}: stage {index}: {exc}") from None


def _validated(spec: StageSpec) -> StageSpec:
    if not spec.name.strip():
        raise InputError("a stage needs a name")
    if spec.name.strip().casefold() in ("open", "won", "lost"):
        raise InputError(f"{spec.name!r} is a deal status, not a stage; closing is done with `won`/`lost`")
    check_probability(spec.probability)
    if spec.max_days is not None and (not isinstance(spec.max_days, int) or spec.max_days <= 0):
        raise InputError(f"max_days must be a whole number of days above zero, not {spec.max_days!r}")
    if spec.role is not None and spec.role not in ROLES:
        raise InputError(f"a stage's role is 'invoice' or 'payment', not {spec.role!r}")
    if spec.task is not None and not isinstance(spec.task, str):
        raise InputError(f"a stage's task is text, not {spec.task!r}")
    return StageSpec(spec.name.strip(), spec.probability, spec.max_days, spec.role, clean(spec.task),
                     str(when.parse_offset(spec.task_due)))


def check_probability(probability: Any) -> int:
    if not isinstance(probability, int) or isinstance(probability, bool) or not 0 <= probability <= 100:
        raise InputError(f"a probability is a whole number from 0 to 100, not {probability!r}")
    return probability


def _check_together(specs: list[StageSpec]) -> None:
    """What each stage cannot tell alone: two stages with one name (case and ё/е aside), or with one role."""
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    for spec in specs:
        name = spec.name.strip()
        if fold(name) in names:
            raise InputError(f"stages {names[fold(name)]!r} and {name!r} have the same name (case and ё/е aside)")
        names[fold(name)] = name
        if spec.role in roles:
            raise InputError(f"stages {roles[spec.role]!r} and {name!r} both have the role {spec.role}; only one "
                             f"stage may have each role ({', '.join(ROLES)})")
        if spec.role:
            roles[spec.role] = name


def install(book: Book, specs: list[StageSpec]) -> None:
    """Replace the stages of a book that has no deals."""
    _check_together(specs)
    with book.transaction():
        if book.value("SELECT count(*) FROM deals"):
            raise Conflict(f"{book.path} already holds deals; `init` only sets up an empty book "
                           "(use `stage add/edit/move/remove` to change a pipeline in use)")
        book.conn.execute("DELETE FROM stages")
        for position, spec in enumerate(specs, 1):
            spec = _validated(spec)
            book.insert("stages", {"name": spec.name.strip(), "position": position, "probability": spec.probability,
                                   "max_days": spec.max_days, "role": spec.role, "task": spec.task,
                                   "task_due": spec.task_due})


def _unique_name(book: Book, name: str, except_id: int | None = None) -> str:
    """The trimmed name, refused if another stage has it in any case or spelling of ё (as `resolve` reads it)."""
    clean = name.strip()
    if not clean:
        raise InputError("a stage needs a name")
    for stage in stages(book):
        if fold(stage["name"]) == fold(clean) and stage["id"] != except_id:
            raise Conflict(f"there is already a stage named {stage['name']!r}")
    return clean


def _removed_named(book: Book, name: str) -> dict[str, Any] | None:
    """The removed stage called `name` (any case, ё as е; the exact spelling first)."""
    return book.row("SELECT * FROM stages WHERE removed_at IS NOT NULL AND fold(name) = ? ORDER BY name = ? DESC",
                    (fold(name), name))


def _free_role(book: Book, role: str | None, except_id: int | None = None) -> None:
    if role is None:
        return
    holder = by_role(book, role)
    if holder and holder["id"] != except_id:
        raise Conflict(f"stage {holder['name']!r} already has the {role} role; remove it there first "
                       f"(`stage edit \"{holder['name']}\" --no-role`)")


def add(book: Book, name: str, *, after: str | None = None, before: str | None = None,
        probability: int | None = None, max_days: int | None = None, task: str | None = None,
        task_due: str = "+1d", role: str | None = None) -> dict[str, Any]:
    """Add a stage at the end, or after/before another one; a removed stage of that name comes back."""
    with book.transaction():
        clean = _unique_name(book, name)
        spec = _validated(StageSpec(clean, probability if probability is not None else 0, max_days, role, task,
                                    task_due))
        _free_role(book, role)
        position = _insertion_point(book, after, before)
        book.conn.execute("UPDATE stages SET position = position + 1 WHERE position >= ?", (position,))
        values = {"name": spec.name, "position": position, "probability": spec.probability,
                  "max_days": spec.max_days, "task": spec.task, "task_due": spec.task_due, "role": spec.role}
        removed = _removed_named(book, spec.name)
        if removed:  # the same stage back, with the history that names it
            stage_id = removed["id"]
            book.update("stages", stage_id, {**values, "removed_at": None})
        else:
            stage_id = book.insert("stages", values)
        _renumber(book)
    return get(book, stage_id)


def _insertion_point(book: Book, after: str | None, before: str | None) -> int:
    if after and before:
        raise InputError("give --after or --before, not both")
    if after:
        return resolve(book, after)["position"] + 1
    if before:
        return resolve(book, before)["position"]
    return (book.value("SELECT max(position) FROM stages WHERE removed_at IS NULL") or 0) + 1


def _renumber(book: Book) -> None:
    ids = [row[0] for row in book.conn.execute("SELECT id FROM stages WHERE removed_at IS NULL ORDER BY position, id")]
    for position, stage_id in enumerate(ids, 1):
        book.conn.execute("UPDATE stages SET position = ? WHERE id = ?", (position, stage_id))


def get(book: Book, stage_id: int) -> dict[str, Any]:
    return next(stage for stage in stages(book) if stage["id"] == stage_id)


def edit(book: Book, ref: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a stage's fields; `changes` holds only what was given (None clears optional fields)."""
    with book.transaction():
        stage = resolve(book, ref)
        values: dict[str, Any] = {}
        if "name" in changes:
            values["name"] = _unique_name(book, changes["name"], stage["id"])
            removed = _removed_named(book, values["name"])
            if removed:
                raise Conflict(f"a removed stage was called {removed['name']!r}, and history still names it; "
                               f"choose another name (`dealflow stage add \"{removed['name']}\"` brings it back)")
            if values["name"].casefold() in ("open", "won", "lost"):
                raise InputError(f"{values['name']!r} is a deal status, not a stage name")
        if "probability" in changes:
            values["probability"] = check_probability(changes["probability"])
        if "max_days" in changes:
            if changes["max_days"] is not None and changes["max_days"] <= 0:
                raise InputError("max_days must be a whole number of days above zero")
            values["max_days"] = changes["max_days"]
        if "task" in changes:
            values["task"] = clean(changes["task"])
        if "task_due" in changes:
            values["task_due"] = str(when.parse_offset(changes["task_due"]))
        if "role" in changes:
            if changes["role"] is not None and changes["role"] not in ROLES:
                raise InputError(f"a stage's role is 'invoice' or 'payment', not {changes['role']!r}")
            _free_role(book, changes["role"], stage["id"])
            values["role"] = changes["role"]
        book.update("stages", stage["id"], values)
    return get(book, stage["id"])


def move(book: Book, ref: str, *, after: str | None = None, before: str | None = None) -> dict[str, Any]:
    """Reorder: put a stage after or before another."""
    if not after and not before:
        raise InputError("say where: --after STAGE or --before STAGE")
    with book.transaction():
        stage = resolve(book, ref)
        anchor = resolve(book, after or before)
        if anchor["id"] == stage["id"]:
            raise InputError("a stage cannot be moved relative to itself")
        book.conn.execute("UPDATE stages SET position = -1 WHERE id = ?", (stage["id"],))
        _renumber(book)  # close the gap; the moved stage sorts first for now
        anchor_pos = book.value("SELECT position FROM stages WHERE id = ?", (anchor["id"],))
        target = anchor_pos + 1 if after else anchor_pos
        book.conn.execute("UPDATE stages SET position = position + 1 WHERE position >= ? AND id != ?",
                          (target, stage["id"]))
        book.conn.execute("UPDATE stages SET position = ? WHERE id = ?", (target, stage["id"]))
        _renumber(book)
    return get(book, stage["id"])


def remove(book: Book, ref: str, *, to: str | None = None, at: str | None = None) -> dict[str, Any]:
    """Take a stage out of the pipeline; deals in it (open, or closed from it) move to `to`, with history.

    History is never rewritten: a stage it names stays in the book as a removed stage, so deal cards and
    `export history` still tell the time spent there, and velocity does not count it as time in `to`. A stage
    nothing refers to is deleted."""
    from dealflow.core import deals

    with book.transaction():
        stage = resolve(book, ref)
        if book.value("SELECT count(*) FROM stages WHERE removed_at IS NULL") == 1:
            raise Conflict("a pipeline needs at least one stage")
        users = book.value("SELECT count(*) FROM deals WHERE stage_id = ?", (stage["id"],))
        if users and not to:
            raise Conflict(f"stage {stage['name']!r} holds {counted(users, 'deal')}, open or closed from it; "
                           "give --to STAGE to move them there")
        moved, target = 0, None
        if to:
            target = resolve(book, to)
            if target["id"] == stage["id"]:
                raise InputError("--to must name another stage")
            moved = deals.rehome(book, stage["id"], target["id"], at)
        if book.value("SELECT 1 FROM stage_history WHERE ? IN (from_stage_id, to_stage_id) LIMIT 1", (stage["id"],)):
            book.update("stages", stage["id"], {"removed_at": when.event_text(at), "position": 0, "role": None})
        else:
            book.conn.execute("DELETE FROM stages WHERE id = ?", (stage["id"],))
        _renumber(book)
    return {**stage, "moved_deals": moved, "moved_to": target["name"] if target else None}
