"""Contacts: the people deals are with, found by number, email, phone digits or name."""

from __future__ import annotations

import re
from typing import Any

from dealflow.core import activities, clock, when
from dealflow.core.book import Book
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound
from dealflow.core.text import (PHONE_KEY_LENGTH, PHONE_KEY_SQL, TAG_MATCH, clean, digits, email_key, fold,
                                is_extension, phone_key, refuse_empty_filters, tags_edited, tags_join,
                                without_extension)

FIELDS = ("name", "company", "email", "phone", "source", "tags", "notes")
MATCH_KEYS = ("phone_digits", "email_key")  # stored for matching, never shown
MIN_PHONE_SUFFIX = 7
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"#?\d{1,18}")  # a contact's number (18 digits fit SQLite's integers)
_PHONE_TEXT = re.compile(r"[\d\s()+\-.]+")
_PHONE_SEPARATORS = re.compile(r"[,;\n]")

LIST_SQL = """
SELECT c.id, c.name, c.company, c.email, c.phone, c.source, c.tags,
       (SELECT count(*) FROM deals d WHERE d.contact_id = c.id AND d.status = 'open') AS open_deals,
       c.created_at
FROM contacts c
"""


def public(contact: dict[str, Any]) -> dict[str, Any]:
    """A contact as shown: without the keys it is matched by (`phone_digits`, `email_key`)."""
    for key in MATCH_KEYS:
        contact.pop(key, None)
    return contact


def get(book: Book, contact_id: int) -> dict[str, Any]:
    found = book.row("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    if not found:
        raise NotFound(f"no contact #{contact_id}; `dealflow contact list` shows them")
    return found


def _describe(row: dict[str, Any]) -> str:
    extra = ", ".join(part for part in (row.get("company"), row.get("email"), row.get("phone")) if part)
    return f"#{row['id']} {row['name']}" + (f" ({extra})" if extra else "")


def _ambiguous(ref: str, candidates: list[dict[str, Any]]) -> Ambiguous:
    listed = "; ".join(_describe(row) for row in candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    return Ambiguous(f"contact {ref!r} matches {len(candidates)} contacts: {listed}{more}; use the number")


def matches(book: Book, text: str) -> list[dict[str, Any]]:
    """Every contact a reference could mean: its number, exact email, phone number (see `by_phone`), or name.

    This is the one reading of "who is this" that `lookup`, `log`, `remind`, `contact show` and `add --contact`
    share: a run of digits that is no contact's number is a phone number, however it is written."""
    ref = text.strip()
    if not ref:
        return []
    if _NUMBER.fullmatch(ref):
        found = book.row("SELECT * FROM contacts WHERE id = ?", (int(ref.lstrip("#")),))
        if found:
            return [found]
    if "@" in ref:
        return book.rows("SELECT * FROM contacts WHERE email_key = ? ORDER BY id", (email_key(ref),))
    phone = _phone_digits(ref)
    if phone:
        return by_phone(book, phone)
    return by_name(book, ref)


def _phone_digits(ref: str) -> str | None:
    """The digits of a reference written as a phone number (7+ digits, phone punctuation only, maybe an
    extension: `+7 495 111-22-33 доб. 123`), else None."""
    found = digits(ref)
    return found if found and len(found) >= MIN_PHONE_SUFFIX and _PHONE_TEXT.fullmatch(
        without_extension(ref).strip()) else None


def _unknown_number(ref: str) -> bool:
    """`12` or `#12` that is no phone number: it can only mean a contact's number."""
    return bool(_NUMBER.fullmatch(ref.strip())) and not _phone_digits(ref)


def by_phone(book: Book, phone_digits: str) -> list[dict[str, Any]]:
    """Who has this number: the same last ten digits (`8 916 000-00-01` is `+7 916 000-00-01`). A shorter,
    local number is compared whole; only when nobody has it whole may it be the end of a longer one (a
    phone system that passes the last 7 digits). A full number never matches a shorter local one."""
    key = phone_key(phone_digits)
    found = book.rows(f"SELECT * FROM contacts WHERE {PHONE_KEY_SQL} = ? ORDER BY id", (key,))
    if found or len(key) == PHONE_KEY_LENGTH:
        return found
    return book.rows("SELECT * FROM contacts WHERE phone_digits LIKE '%' || ? ORDER BY id", (key,))


def by_name(book: Book, name: str) -> list[dict[str, Any]]:
    """Exact name matches (any case) if there are any, else names containing the text."""
    folded = fold(name.strip())
    exact = book.rows("SELECT * FROM contacts WHERE fold(name) = ? ORDER BY id", (folded,))
    return exact or book.rows("SELECT * FROM contacts WHERE instr(fold(name), ?) > 0 ORDER BY id", (folded,))


def resolve(book: Book, ref: str) -> dict[str, Any]:
    """Exactly one contact, or an error that says why (none, or which candidates)."""
    found = matches(book, ref)
    if not found:
        raise NotFound(f"no contact matches {ref!r}; `dealflow contact list --search TEXT` helps find one")
    if len(found) > 1:
        raise _ambiguous(ref, found)
    return found[0]


def _checked(book: Book, values: dict[str, Any], except_id: int | None = None) -> dict[str, Any]:
    """Validate fields and refuse an email or phone that another contact already has."""
    if "name" in values and not values["name"]:
        raise InputError("a contact needs a name")
    if values.get("email"):
        if not _EMAIL.match(values["email"]):
            raise InputError(f"{values['email']!r} is not an email address")
        other = book.row("SELECT * FROM contacts WHERE email_key = ? AND id IS NOT ?",
                         (email_key(values["email"]), except_id))
        if other:
            raise Conflict(f"{values['email']} already belongs to contact {_describe(other)}; "
                           f"use that contact or `dealflow contact edit {other['id']}`")
    if "email" in values:
        values["email_key"] = email_key(values["email"]) if values["email"] else None
    if "phone" in values:
        first, others = split_phones(values["phone"])
        if others:
            raise InputError(f"{values['phone']!r} is {len(others) + 1} phone numbers; a contact has one: give "
                             f"--phone {_quoted(first)} and keep the others in --note")
        values["phone_digits"] = digits(values["phone"])
        if values["phone"] and not values["phone_digits"]:
            raise InputError(f"{values['phone']!r} is not a phone number")
        if values["phone_digits"]:
            other = book.row(f"SELECT * FROM contacts WHERE {PHONE_KEY_SQL} = ? AND id IS NOT ?",
                             (phone_key(values["phone_digits"]), except_id))
            if other:
                extension = (f"; {ONE_NUMBER_ONE_CONTACT}: keep the other person's extension in --note"
                             if has_extension(values["phone"]) else "")
                raise Conflict(f"phone {values['phone']} already belongs to contact {_describe(other)}{extension}; "
                               f"use that contact or `dealflow contact edit {other['id']}`")
    return values


ONE_NUMBER_ONE_CONTACT = "an extension is not part of the number (a caller ID shows the main line), so one number is one contact"


def has_extension(phone: str) -> bool:
    return without_extension(phone) != phone


def split_phones(text: str | None) -> tuple[str | None, list[str]]:
    """A phone field that may hold several numbers (`+7 916 000-00-01, +7 495 111-22-33`, as Pipedrive exports
    them): the first is the contact's phone, the rest are others. Their digits joined would be nobody's number.
    An extension after a comma (`+7 495 111-22-33, доб. 123`) is part of its number, not another one."""
    if not text or not _PHONE_SEPARATORS.search(text) or not _PHONE_SEPARATORS.search(without_extension(text)):
        return clean(text), []  # one number: the common case, once per import row
    parts: list[str] = []
    for part in filter(None, map(str.strip, _PHONE_SEPARATORS.split(text))):
        if parts and is_extension(part):  # `+7 495 111-22-33, доб. 5, +7 916…`: the first one's extension
            parts[-1] += f", {part}"
        else:
            parts.append(part)
    return (parts[0] if parts else clean(text)), parts[1:]


def add(book: Book, name: str, *, company: str | None = None, email: str | None = None,
        phone: str | None = None, source: str | None = None, tags: list[str] | None = None,
        notes: str | None = None, created_at: str | None = None) -> dict[str, Any]:
    values = {"name": clean(name), "company": clean(company), "email": clean(email), "phone": clean(phone),
              "source": clean(source), "tags": tags_join(tags or []), "notes": clean(notes)}
    with book.transaction():
        values = _checked(book, values)
        values["created_at"] = created_at or when.to_text(clock.now())
        contact_id = book.insert("contacts", values)
    return get(book, contact_id)


def find_or_create(book: Book, *, ref: str | None = None, email: str | None = None, phone: str | None = None,
                   company: str | None = None, source: str | None = None) -> tuple[dict[str, Any] | None, bool]:
    """The contact for a new deal, and whether it was created.

    A known email or phone names the contact; so does a contact number, or a name that matches exactly one
    contact. Only when nothing is found is a new contact created. The details given must agree with the
    contact found: an empty field is filled in, a different value already there is an error (the user meant
    another person, or wants to change it): never a silent duplicate of the name, never a detail dropped."""
    email, phone, ref = clean(email), clean(phone), clean(ref)
    if ref and not email and _EMAIL.match(ref):
        email, ref = ref, None  # `--contact anna@acme.com` is an email, not a person named so
    contact = _by_details(book, email, phone)
    if contact and ref and not _may_name(book, ref, contact):
        field = "email" if email and same_detail("email", contact["email"] or "", email) else "phone"
        raise _not_theirs(contact, ref, field, email if field == "email" else phone)
    if not contact and ref:
        contact = _named(book, ref, with_details=bool(email or phone))
    if contact:
        filling = _agreeing(contact, {"company": clean(company), "email": email, "phone": phone})
        book.update("contacts", contact["id"], _checked(book, filling, contact["id"]))
        return get(book, contact["id"]), False
    if not (ref or email or phone or clean(company)):
        return None, False
    name = ref or email or clean(company) or phone
    if ref and not phone and _phone_digits(ref):
        phone = ref  # `--contact 79160000001` from caller ID: a new contact with that number
    return add(book, name, company=company, email=email, phone=phone, source=source), True


def _not_theirs(contact: dict[str, Any], ref: str, field: str, value: str) -> Conflict:
    """A detail of one contact given next to the name of another: say whose it is and how to go on."""
    number = contact["id"]
    return Conflict(f"{field} {value} belongs to contact {_describe(contact)}, not to {ref!r}. For "
                    f"{contact['name']}, give --contact {number}; for {ref}, leave out --{field}, or first take it "
                    f"from #{number} with `dealflow contact edit {number} --{field} \"\"`")


def _by_details(book: Book, email: str | None, phone: str | None) -> dict[str, Any] | None:
    """The one contact that has this email or phone, if any."""
    known: dict[int, dict[str, Any]] = {}
    if email:
        known.update({row["id"]: row for row in book.rows("SELECT * FROM contacts WHERE email_key = ?",
                                                          (email_key(email),))})
    if digits(phone):
        known.update({row["id"]: row for row in book.rows(f"SELECT * FROM contacts WHERE {PHONE_KEY_SQL} = ?",
                                                          (phone_key(digits(phone)),))})
    if len(known) > 1:
        raise _ambiguous(" / ".join(part for part in (email, phone) if part), list(known.values()))
    return next(iter(known.values()), None)


def _may_name(book: Book, ref: str, contact: dict[str, Any]) -> bool:
    """Whether `ref` can mean `contact`, found by an email or phone: it is among what `ref` matches, or `ref` is
    a name nobody has that agrees with the contact's (`Пётр Смирнов` for Пётр; not `Марина` for Пётр)."""
    found = matches(book, ref)
    if found:
        return contact["id"] in {row["id"] for row in found}
    return not _unknown_number(ref) and names_agree(ref, contact)


def names_agree(name: str, contact: dict[str, Any]) -> bool:
    """Whether a name can be this contact's, written more or less fully: one folded name holds the other, or
    the contact's name is only its email or phone (what a contact added from a detail alone is called)."""
    if name == contact["name"]:  # as most import rows repeat it
        return True
    given, known = fold(" ".join(name.split())), fold(" ".join(contact["name"].split()))
    stand_ins = {fold(value) for value in (contact["email"], contact["phone"]) if value}
    return given in known or known in given or known in stand_ins


def _named(book: Book, ref: str, *, with_details: bool) -> dict[str, Any] | None:
    """The one contact a reference means (a contact number must exist); None for a name or phone nobody has.

    With a new email or phone to store, a name must match exactly (any case): `Иван` is not `Иванова Мария`,
    and a detail never goes to whoever merely contains the name."""
    exact_name = with_details and not (_NUMBER.fullmatch(ref) or _phone_digits(ref) or "@" in ref)
    found = book.rows("SELECT * FROM contacts WHERE fold(name) = ? ORDER BY id", (fold(ref),)) if exact_name \
        else matches(book, ref)
    if not found and _unknown_number(ref):
        return get(book, int(ref.lstrip("#")))  # raises: no contact with that number
    if len(found) > 1:
        error = _ambiguous(ref, found)
        if with_details:  # maybe someone new of the same name: say how to add them
            error = Ambiguous(f"{error}; for someone new, `dealflow contact add NAME` with the email or phone "
                              "first and give its number as --contact")
        raise error
    return found[0] if found else None


def _agreeing(contact: dict[str, Any], given: dict[str, str | None]) -> dict[str, str]:
    """The details to fill in on a found contact; one that contradicts what it has is refused."""
    filling = {}
    for field, value in given.items():
        if not value:
            continue
        if not contact[field]:
            filling[field] = value
        elif not same_detail(field, contact[field], value):
            number, retyped = contact["id"], f"--{field} {_quoted(value)}"
            raise Conflict(
                f"contact #{number} {contact['name']} already has {field} {contact[field]}, not {value}. To use "
                f"#{number}, leave out --{field} (or change it: `dealflow contact edit {number} {retyped}`); for "
                f"another person, `dealflow contact add {_quoted(contact['name'])} {retyped}` first and give "
                "its number as --contact")
    return filling


def same_detail(field: str, stored: str, given: str) -> bool:
    """The same detail however written (emails in any case): a phone by its last ten digits (`8 916…` is `+7 916…`)."""
    if stored == given:  # as most import rows repeat it
        return True
    if field == "phone":
        return phone_key(digits(stored)) == phone_key(digits(given))
    return stored.casefold() == given.casefold()


def _quoted(text: str) -> str:
    """A value as the user would retype it in a shell command."""
    return f'"{text}"' if any(char.isspace() for char in text) or not text else text


def listing(book: Book, *, search: str | None = None, tag: str | None = None) -> list[dict[str, Any]]:
    refuse_empty_filters({"search": search, "tag": tag},
                         {"search": "some text of the name, company, email or phone", "tag": "a tag (--tag vip)"},
                         "contact")
    where, params = [], []
    if search:
        where.append("(instr(fold(c.name), ?) OR instr(fold(coalesce(c.company, '')), ?) "
                     "OR instr(fold(coalesce(c.email, '')), ?) OR instr(coalesce(c.phone_digits, ''), ?))")
        folded = fold(search.strip())
        params += [folded, folded, folded, digits(search) or "\0"]
    if tag:
        where.append(TAG_MATCH.format(column="c.tags"))
        params.append(fold(tag.strip()))
    sql = LIST_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY fold(c.name), c.id"
    return book.rows(sql, params)


def edit(book: Book, ref: str, changes: dict[str, Any], *, add_tags: list[str] = (),
         remove_tags: list[str] = ()) -> dict[str, Any]:
    """Change the given fields; an empty string clears an optional one."""
    with book.transaction():
        contact = resolve(book, ref)
        values = {key: clean(value) for key, value in changes.items() if key in FIELDS}
        if add_tags or remove_tags:
            values["tags"] = tags_edited(contact["tags"], list(add_tags), list(remove_tags))
        values = _checked(book, values, contact["id"])
        book.update("contacts", contact["id"], values)
        if values.get("name") and values["name"] != contact["name"]:
            activities.rename_call_backs(book, contact["name"], values["name"], contact_id=contact["id"])
    return get(book, contact["id"])


def merge(book: Book, keep_ref: str, other_ref: str) -> dict[str, Any]:
    """Fold OTHER into KEEP: its deals, activities and tasks move over, empty fields are filled, OTHER goes."""
    with book.transaction():
        keep, other = resolve(book, keep_ref), resolve(book, other_ref)
        if keep["id"] == other["id"]:
            raise InputError("a contact cannot be merged with itself")
        for table in ("deals", "activities", "tasks"):
            book.conn.execute(f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (keep["id"], other["id"]))
        activities.rename_call_backs(book, other["name"], keep["name"], contact_id=keep["id"])
        filled = {field: other[field] for field in ("company", "email", "email_key", "phone", "phone_digits", "source",
                                                    "notes")
                  if not keep[field] and other[field]}
        filled["tags"] = tags_join((keep["tags"] or "").split(",") + (other["tags"] or "").split(","))
        if keep["notes"] and other["notes"]:
            filled["notes"] = f"{keep['notes']}\n{other['notes']}"
        book.conn.execute("DELETE FROM contacts WHERE id = ?", (other["id"],))
        book.update("contacts", keep["id"], filled)
    return get(book, keep["id"])


def card(book: Book, ref: str | int) -> dict[str, Any]:
    """The client card: who they are, every deal, what they bought and paid, when we last spoke."""
    from dealflow.core import invoices  # imported here: invoices builds on deals, which builds on this module

    contact = get(book, ref) if isinstance(ref, int) else resolve(book, ref)
    contact_id = contact["id"]
    public(contact)
    deals = book.rows(
        """SELECT d.id, d.title, s.name AS stage, d.status, d.value, d.currency, d.created_at, d.closed_at
           FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.contact_id = ? ORDER BY d.id""",
        (contact_id,),
    )
    won = book.rows(
        """SELECT currency, sum(value) AS value, count(*) AS deals FROM deals
           WHERE contact_id = ? AND status = 'won' GROUP BY currency ORDER BY currency""", (contact_id,))
    span = book.row("SELECT min(at) AS first, max(at) AS last FROM activities WHERE contact_id = ?", (contact_id,))
    won_count = sum(row["deals"] for row in won)
    return {
        **contact,
        "deals_count": len(deals),
        "won_count": won_count,
        "repeat_orders": max(won_count - 1, 0),
        "won_value": won,
        **invoices.for_contact(book, contact_id),
        "first_contact_at": span["first"],
        "last_contact_at": span["last"],
        "deals": deals,
        "activities": book.rows(
            """SELECT id, at, kind, direction, missed, deal_id, note FROM activities
               WHERE contact_id = ? ORDER BY at DESC, id DESC LIMIT 10""", (contact_id,)),
        "tasks": book.rows(
            """SELECT id, text, due, deal_id, origin FROM tasks
               WHERE contact_id = ? AND done_at IS NULL ORDER BY due, id""", (contact_id,)),
    }


def lookup(book: Book, text: str) -> list[dict[str, Any]]:
    """Caller ID: every contact the text could be, each with open deals, open tasks and the last activity."""
    found = matches(book, text)
    if not found:
        raise NotFound(f"no contact matches {text!r}")
    cards = []
    for contact in found:
        contact_id = contact["id"]
        public(contact)
        cards.append({
            **contact,
            "open_deals": book.rows(
                """SELECT d.id, d.title, s.name AS stage, d.value, d.currency FROM deals d
                   JOIN stages s ON s.id = d.stage_id WHERE d.contact_id = ? AND d.status = 'open'
                   ORDER BY d.id""", (contact_id,)),
            "open_tasks": book.rows(
                "SELECT id, text, due, deal_id FROM tasks WHERE contact_id = ? AND done_at IS NULL ORDER BY due",
                (contact_id,)),
            "last_activity": book.row(
                """SELECT id, at, kind, direction, note, deal_id FROM activities WHERE contact_id = ?
                   ORDER BY at DESC, id DESC LIMIT 1""", (contact_id,)),
        })
    return cards
