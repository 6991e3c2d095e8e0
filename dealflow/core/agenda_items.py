"""What every agenda item carries, whichever module asks the question behind it.

The agenda's kinds live with their nouns (tasks and deal states in `agenda`, invoices in `invoices`, follow-ups
in `cadence`); they all describe the deal the same way, with the SQL fragments and the `item` builder here.
"""

from __future__ import annotations

from dealflow.core.pipeline import PROBABILITY_SQL

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see dealflow/__init__.py)
if TYPE_CHECKING:
    from typing import Any

FIELDS = ["kind", "deal_id", "deal", "contact", "phone", "email", "stage", "value", "currency", "due", "days",
          "detail", "task_id", "invoice"]

# A CTE: the rank of each stage in the pipeline, 1/n … n/n — how close a deal is to payment.
RANKS = """ranks AS (
    SELECT id, CAST(row_number() OVER (ORDER BY position) AS REAL) / count(*) OVER () AS stage_rank
    FROM stages WHERE removed_at IS NULL)"""
# The deal fields every item carries, with `deals d`, `stages s`, `ranks r` and `contacts c` joined.
DEAL_COLUMNS = f"""d.id AS deal_id, d.title AS deal, c.name AS contact, c.phone, c.email, s.name AS stage,
    d.value, d.currency,
    {PROBABILITY_SQL} AS probability,
    CASE WHEN d.status = 'won' THEN 1.0 ELSE r.stage_rank END AS stage_rank"""
DEAL_JOINS = """JOIN stages s ON s.id = d.stage_id
    JOIN ranks r ON r.id = d.stage_id
    LEFT JOIN contacts c ON c.id = d.contact_id"""


def item(kind: str, row: dict[str, Any], *, due: str | None, days: int, detail: str,
         task_id: int | None = None, invoice: str | None = None) -> dict[str, Any]:
    """An agenda item: exactly the SPEC fields (`FIELDS`), in order, then the urgency inputs."""
    get = row.get  # a dict literal: the agenda builds thousands of these on a big book
    return {"kind": kind, "deal_id": get("deal_id"), "deal": get("deal"), "contact": get("contact"),
            "phone": get("phone"), "email": get("email"), "stage": get("stage"), "value": get("value"),
            "currency": get("currency"), "due": due, "days": days, "detail": detail, "task_id": task_id,
            "invoice": invoice, "probability": get("probability"), "stage_rank": get("stage_rank")}
