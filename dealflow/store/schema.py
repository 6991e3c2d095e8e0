"""The schema, as an ordered list of migrations. Never edit a released migration: append a new one.

Plain SQL rather than sqlite-utils table builders: the full DDL is readable in one place, the CHECK
constraints and partial indexes are explicit, and opening a book does not import sqlite-utils.
Conventions: money is INTEGER minor units beside a `currency`; days are `YYYY-MM-DD`; instants are
ISO 8601 with offset. Derived facts (days in stage, balances, overdue) are computed when read.
"""

from __future__ import annotations

import sqlite3

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable

    Migration = Callable[[sqlite3.Connection], None]

V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE stages (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    max_days    INTEGER CHECK (max_days > 0),
    task        TEXT,
    task_due    TEXT NOT NULL DEFAULT '+1d',
    role        TEXT UNIQUE CHECK (role IN ('invoice', 'payment'))
);

CREATE TABLE reasons (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    company      TEXT,
    email        TEXT,
    phone        TEXT,
    phone_digits TEXT,  -- the phone's digits: what uniqueness and caller-ID matching compare
    source       TEXT,
    tags         TEXT,  -- comma-separated
    notes        TEXT,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (phone_digits) WHERE phone_digits IS NOT NULL;

CREATE TABLE deals (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    contact_id       INTEGER REFERENCES contacts (id),
    value            INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
    currency         TEXT NOT NULL,
    stage_id         INTEGER NOT NULL REFERENCES stages (id),  -- the open stage, or the one closed from
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    probability      INTEGER CHECK (probability BETWEEN 0 AND 100),  -- overrides the stage's
    source           TEXT,
    owner            TEXT,
    expected_close   TEXT,
    tags             TEXT,  -- comma-separated
    created_at       TEXT NOT NULL,
    stage_entered_at TEXT NOT NULL,
    last_activity_at TEXT,
    closed_at        TEXT,
    lost_reason      TEXT,
    lost_note        TEXT,
    external_id      TEXT UNIQUE
);
-- created_at makes it covering for the open deals' ages per stage (report velocity).
CREATE INDEX deals_by_status_stage ON deals (status, stage_id, stage_entered_at, created_at);
CREATE INDEX deals_by_status_created ON deals (status, created_at);
CREATE INDEX deals_by_status_closed ON deals (status, closed_at);
CREATE INDEX deals_by_contact ON deals (contact_id);

-- Every stage or status change, appended and never rewritten.
-- event: created | moved | won | lost | reopened. For won/lost both stages are the stage closed from.
CREATE TABLE stage_history (
    id            INTEGER PRIMARY KEY,
    deal_id       INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    event         TEXT NOT NULL CHECK (event IN ('created', 'moved', 'won', 'lost', 'reopened')),
    from_stage_id INTEGER REFERENCES stages (id),
    to_stage_id   INTEGER NOT NULL REFERENCES stages (id),
    at            TEXT NOT NULL,
    note          TEXT
);
CREATE INDEX stage_history_by_deal ON stage_history (deal_id, at);
-- Covering for velocity: entries read in stage order, each with its deal and instant, without the table.
CREATE INDEX stage_history_by_stage ON stage_history (to_stage_id, event, deal_id, at);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY,
    deal_id      INTEGER REFERENCES deals (id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts (id),
    kind         TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'message', 'note')),
    direction    TEXT CHECK (direction IN ('in', 'out')),
    missed       INTEGER NOT NULL DEFAULT 0 CHECK (missed IN (0, 1)),
    duration_s   INTEGER CHECK (duration_s >= 0),
    note         TEXT,
    owner        TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX activities_by_deal ON activities (deal_id, at);
CREATE INDEX activities_by_contact ON activities (contact_id, at);
-- (at, kind) covers `report activity` without reading the table.
CREATE INDEX activities_by_at ON activities (at, kind);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    due         TEXT NOT NULL,
    deal_id     INTEGER REFERENCES deals (id) ON DELETE CASCADE,
    contact_id  INTEGER REFERENCES contacts (id),
    origin      TEXT NOT NULL DEFAULT 'manual'
                CHECK (origin IN ('manual', 'stage', 'missed-call', 'cadence')),
    created_at  TEXT NOT NULL,
    done_at     TEXT
);
CREATE INDEX tasks_open_by_due ON tasks (due) WHERE done_at IS NULL;
CREATE INDEX tasks_by_deal ON tasks (deal_id, done_at);
CREATE INDEX tasks_by_contact ON tasks (contact_id, done_at);

CREATE TABLE invoices (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    seq        INTEGER NOT NULL UNIQUE,
    deal_id    INTEGER NOT NULL REFERENCES deals (id),
    currency   TEXT NOT NULL,
    total      INTEGER NOT NULL CHECK (total >= 0),
    issued     TEXT NOT NULL,
    due        TEXT NOT NULL,
    voided_at  TEXT,
    void_note  TEXT,
    paid_at    TEXT  -- when payments reached the total; kept so the agenda skips settled invoices at once
);
CREATE INDEX invoices_by_state ON invoices (voided_at, paid_at, due);
-- (deal_id, voided_at) answers "has this deal a live invoice?" (not-invoiced) from the index alone.
CREATE INDEX invoices_by_deal ON invoices (deal_id, voided_at);

CREATE TABLE invoice_lines (
    id         INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    quantity   TEXT NOT NULL,  -- exact decimal text, e.g. '2' or '1.5'
    price      INTEGER NOT NULL CHECK (price >= 0),
    amount     INTEGER NOT NULL CHECK (amount >= 0)
);
CREATE INDEX invoice_lines_by_invoice ON invoice_lines (invoice_id);

CREATE TABLE payments (
    id         INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    at         TEXT NOT NULL,
    method     TEXT
);
CREATE INDEX payments_by_invoice ON payments (invoice_id);
CREATE INDEX payments_by_at ON payments (at);

-- A deal parked in a follow-up cadence; touches done and the next due are derived from activities.
CREATE TABLE cadences (
    id             INTEGER PRIMARY KEY,
    deal_id        INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    parked_at      TEXT NOT NULL,
    coefficient    REAL NOT NULL,
    touches_total  INTEGER NOT NULL CHECK (touches_total >= 0),
    interval       TEXT NOT NULL,
    channels       TEXT NOT NULL,
    last_activity_before INTEGER NOT NULL DEFAULT 0,  -- activities up to this id were logged before parking
    note           TEXT,
    ended_at       TEXT,
    end_reason     TEXT
);
CREATE UNIQUE INDEX cadences_active ON cadences (deal_id) WHERE ended_at IS NULL;
"""

# V2: each visit (a created, moved or reopened entry) records when it ended, so that `report velocity` reads
# the visits' lengths from one index instead of looking up every visit's successor; activities by month.
V2 = """
-- left_at: the `at` of the deal's next history entry (by at, then id), the end of the visit this entry began;
-- NULL while the deal is still in it, and always on won/lost entries (they begin no visit). Kept by the
-- writers of history (core/deals.py `end_visits`; an import knows a new deal's rows in order), not by a
-- trigger: a trigger rewrites the row it has just inserted, +0.3 s of CPU on importing 100,000 deals.
ALTER TABLE stage_history ADD COLUMN left_at TEXT;
UPDATE stage_history AS h SET left_at = (
    SELECT n.at FROM stage_history n WHERE n.deal_id = h.deal_id AND (n.at, n.id) > (h.at, h.id)
    ORDER BY n.at, n.id LIMIT 1)
WHERE h.event IN ('created', 'moved', 'reopened');
-- The ended visits per stage with their length in whole seconds, in order of length: all that velocity reads.
-- It replaces stage_history_by_stage, which only velocity used.
DROP INDEX stage_history_by_stage;
CREATE INDEX stage_history_visits
    ON stage_history (to_stage_id, CAST(round((julianday(left_at) - julianday(at)) * 86400) AS INTEGER), left_at)
    WHERE left_at IS NOT NULL;
-- created_at makes it covering for velocity's cycle row (days from creation to the win).
DROP INDEX deals_by_status_closed;
CREATE INDEX deals_by_status_closed ON deals (status, closed_at, created_at);
-- `report activity` counts activities per month and kind by walking this in order: grouping by the month
-- of (at, kind) instead made SQLite sort every activity (807 ms for a million, 65 ms this way).
CREATE INDEX activities_by_month ON activities (substr(at, 1, 7), kind);
"""

# V3: the agenda's "no next step" asks, for every open deal, whether it has an open task. tasks_by_deal holds
# every task ever (ten per open deal in a book with years of history), so the 10,000 questions of a big book
# read most of its pages (16 ms); the open tasks alone fit in a few dozen (5 ms).
V3 = """
CREATE INDEX tasks_open_by_deal ON tasks (deal_id, done_at) WHERE done_at IS NULL;
"""


def _script(sql: str) -> Migration:
    """A migration made of plain SQL statements, run inside the caller's transaction."""

    def run(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)

    return run


# V4: a phone number belongs to whoever has its last ten digits (`8 916…` is `+7 916…`, see text.phone_key);
# adding a contact, `add --phone` and every import row ask by them.
V4 = """
CREATE INDEX contacts_by_phone_key ON contacts (substr(phone_digits, -10));
"""

# V5: a removed stage that history names stays as a row, so that history is never rewritten: `show`, `export
# history` and velocity still say "Site visit" for the weeks a deal spent there. It leaves the pipeline (every
# listing asks `removed_at IS NULL`), gives up its role and sits at position 0, before every stage, so that
# "the furthest stage a deal reached" never counts it.
V5 = """
ALTER TABLE stages ADD COLUMN removed_at TEXT;
"""



def _v6(conn: sqlite3.Connection) -> None:
    """V6: an email is unique and found in any case, Cyrillic too (`Иван@почта.рф` is `иван@почта.рф`), by a
    stored `email_key` (its casefold, see text.email_key) as a phone is by `phone_digits`: the V1 index on
    lower(email) folds only ASCII letters. The new index is not unique: a book may already hold two contacts
    whose emails differ only in Cyrillic case, and a migration must not fail on them. New ones are refused
    (contacts.add/edit, imports); the two found by one lookup are listed, to merge.

    The key is written out here rather than by calling text.email_key: a released migration must keep doing
    what it did when released."""
    conn.execute("ALTER TABLE contacts ADD COLUMN email_key TEXT")
    conn.executemany("UPDATE contacts SET email_key = ? WHERE id = ?",
                     [(email.strip().casefold(), row_id) for row_id, email in
                      conn.execute("SELECT id, email FROM contacts WHERE email IS NOT NULL").fetchall()])
    conn.execute("CREATE INDEX contacts_by_email_key ON contacts (email_key) WHERE email_key IS NOT NULL")


def _v7(conn: sqlite3.Connection) -> None:
    """V7: a phone's key leaves out its extension. Books written before stored `+7 495 111-22-33 доб. 123`
    under `74951112233123`, so its last ten digits were nobody's main line and a caller ID never found the
    contact. Each such key is recomputed from the stored phone. A contact whose main line another contact
    already has (two people at one office, allowed then) keeps its old key: one number is one contact, and a
    migration must not fail; the first of them, by number, gets the line.

    The extension's forms are written out here rather than by calling text.digits: a released migration must
    keep doing what it did when released."""
    import re

    extension = re.compile(r"(?i)(?<=[\d\s).-])[\s,]*\(?\s*(?:доб(?:авочный)?|доп|вн(?:утренний)?|д|ext(?:ension)?|x|#)"
                           r"\.?:?\s*\d+\s*\)?\s*$")
    rows = conn.execute("SELECT id, phone, phone_digits FROM contacts WHERE phone_digits IS NOT NULL ORDER BY id")
    contacts = rows.fetchall()
    keys = {digits[-10:] for _, _, digits in contacts}
    for contact_id, phone, old in contacts:
        new = re.sub(r"\D", "", extension.sub("", phone or ""))
        if new and new != old and new[-10:] not in keys:
            conn.execute("UPDATE contacts SET phone_digits = ? WHERE id = ?", (new, contact_id))
            keys.add(new[-10:])


MIGRATIONS: list[Migration] = [_script(V1), _script(V2), _script(V3), _script(V4), _script(V5), _v6, _v7]
VERSION = len(MIGRATIONS)
