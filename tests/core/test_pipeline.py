"""The pipeline: built-ins exactly as SPEC §4 tables them, custom TOML, stage edits, loss reasons."""

from datetime import date

import pytest

from dealflow.core import deals, pipeline, reasons
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound


def table(book):
    return [(s["name"], s["probability"], s["max_days"], s["role"]) for s in pipeline.stages(book)]


BUILTINS = {
    "default": [("Lead", 10, 1, None), ("Qualified", 25, 7, None), ("Proposal", 50, 10, None),
                ("Negotiation", 70, 14, None), ("Invoiced", 90, 14, "invoice")],
    "classic": [("Intro", 10, 7, None), ("Proposal", 40, 14, None), ("Purchase", 70, 14, "invoice"),
                ("Delivery", 90, 14, "payment")],
    "classic-ru": [("Знакомство", 10, 7, None), ("Коммерческое предложение", 40, 14, None),
                   ("Покупка", 70, 14, "invoice"), ("Доставка и установка", 90, 14, "payment")],
    "amocrm": [("New", 5, 1, None), ("Processing", 10, 2, None), ("Qualification", 20, 5, None),
               ("Proposal", 40, 7, None), ("Negotiation", 60, 10, None), ("Invoice", 80, 7, "invoice"),
               ("Payment", 95, 3, "payment")],
    "amocrm-ru": [("Новая", 5, 1, None), ("Обработка", 10, 2, None), ("Квалификация", 20, 5, None),
                  ("Предложение", 40, 7, None), ("Согласование", 60, 10, None),
                  ("Выставление счета", 80, 7, "invoice"), ("Оплата", 95, 3, "payment")],
}


@pytest.mark.parametrize("name", list(BUILTINS))
def test_builtin_pipelines_match_the_spec(book, name):
    pipeline.install(book, pipeline.load(name))
    assert table(book) == BUILTINS[name]
    assert [s["position"] for s in pipeline.stages(book)] == list(range(1, len(BUILTINS[name]) + 1))


def test_a_new_book_has_the_default_pipeline(book):
    assert table(book) == BUILTINS["default"]


def test_toml_pipeline(book, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[stage]]\nname = "Звонок"\nprobability = 10\nmax_days = 2\ntask = "Позвонить"\n'
                    'task_due = "2d"\n\n[[stage]]\nname = "Счёт"\nprobability = 80\non = "invoice"\n',
                    encoding="utf-8")
    pipeline.install(book, pipeline.load(str(path)))
    stages = pipeline.stages(book)
    assert table(book) == [("Звонок", 10, 2, None), ("Счёт", 80, None, "invoice")]
    assert (stages[0]["task"], stages[0]["task_due"]) == ("Позвонить", "+2d")


@pytest.mark.parametrize("content, message", [
    ("not toml [", "not valid TOML"),
    ("title = 'x'\n", "[[stage]]"),
    ("[[stage]]\nprobability = 5\n", "has no name"),
    ("[[stage]]\nname = 'A'\nprobability = 150\n", "0 to 100"),
    ("[[stage]]\nname = 'A'\nmax_days = 0\n", "above zero"),
    ("[[stage]]\nname = 'A'\non = 'shipping'\n", "'invoice' or 'payment'"),
    ("[[stage]]\nname = 'A'\ncolour = 'red'\n", "unknown field"),
    ("[[stage]]\nname = 'A'\ntask_due = 'soon'\n", "offset"),
    ("[[stage]]\nname = 'Won'\n", "deal status"),
])
def test_invalid_toml_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("(", r"\(")):
        pipeline.load(str(path))


def test_duplicate_names_and_roles_in_a_pipeline_are_refused(book):
    Spec = pipeline.StageSpec
    with pytest.raises(InputError, match="same name"):
        pipeline.install(book, [Spec("A", 10), Spec("a", 20)])
    with pytest.raises(InputError, match="one stage"):
        pipeline.install(book, [Spec("A", 10, role="invoice"), Spec("B", 20, role="invoice")])
    assert table(book) == BUILTINS["default"]


def test_unknown_pipeline_name(book):
    with pytest.raises(NotFound, match="amocrm-ru"):
        pipeline.load("pipedrive")


def test_install_refuses_a_book_with_deals(book):
    deals.add(book, "Acme")
    with pytest.raises(Conflict, match="already holds deals"):
        pipeline.install(book, pipeline.load("classic"))
    assert table(book) == BUILTINS["default"]


def test_resolve_by_name_prefix_and_cyrillic_case(book):
    pipeline.install(book, pipeline.load("amocrm-ru"))
    assert pipeline.resolve(book, "согл")["name"] == "Согласование"
    assert pipeline.resolve(book, "ОПЛАТА")["name"] == "Оплата"
    with pytest.raises(Ambiguous, match="Обработка, Оплата"):
        pipeline.resolve(book, "о")
    with pytest.raises(NotFound, match="Новая"):
        pipeline.resolve(book, "Won")


def test_stage_add_after_before_and_at_the_end(book):
    pipeline.add(book, "Site visit", after="Proposal", task="Visit the client", max_days=3, probability=55)
    pipeline.add(book, "Intro call", before="lead")
    pipeline.add(book, "Aftercare")
    names = [s["name"] for s in pipeline.stages(book)]
    assert names == ["Intro call", "Lead", "Qualified", "Proposal", "Site visit", "Negotiation", "Invoiced",
                     "Aftercare"]
    visit = pipeline.resolve(book, "site")
    assert (visit["probability"], visit["max_days"], visit["task"], visit["task_due"]) == (55, 3,
                                                                                           "Visit the client", "+1d")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": "proposal"}, Conflict, "already a stage"),
    ({"name": "Lost"}, InputError, "deal status"),
    ({"name": "X", "probability": 101}, InputError, "0 to 100"),
    ({"name": "X", "max_days": 0}, InputError, "above zero"),
    ({"name": "X", "role": "invoice"}, Conflict, "Invoiced"),
    ({"name": "X", "role": "refund"}, InputError, "'invoice' or 'payment'"),
    ({"name": "X", "after": "Lead", "before": "Proposal"}, InputError, "not both"),
    ({"name": "X", "after": "Nowhere"}, NotFound, "no stage"),
    ({"name": "X", "task_due": "later"}, InputError, "offset"),
    ({"name": "  "}, InputError, "needs a name"),
])
def test_stage_add_refusals_change_nothing(book, kwargs, error, message):
    before = pipeline.stages(book)
    name = kwargs.pop("name")
    with pytest.raises(error, match=message):
        pipeline.add(book, name, **kwargs)
    assert pipeline.stages(book) == before


def test_roles_are_unique_and_can_be_moved(book):
    with pytest.raises(Conflict, match="Invoiced"):
        pipeline.edit(book, "Negotiation", {"role": "invoice"})
    pipeline.edit(book, "Invoiced", {"role": None})
    assert pipeline.edit(book, "Negotiation", {"role": "invoice"})["role"] == "invoice"
    assert pipeline.by_role(book, "invoice")["name"] == "Negotiation"


def test_stage_edit_fields_and_clearing(book):
    edited = pipeline.edit(book, "Lead", {"probability": 15, "max_days": None, "task": "Call back",
                                          "task_due": "2h"})
    assert (edited["probability"], edited["max_days"], edited["task"], edited["task_due"]) == (15, None,
                                                                                               "Call back", "+2h")
    assert pipeline.edit(book, "Lead", {"task": None})["task"] is None


def test_rename_keeps_history(book, clock):
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "Proposal")
    pipeline.edit(book, "Proposal", {"name": "КП отправлено"})
    assert [h["to_stage"] for h in deals.history(book, deal["id"])] == ["Lead", "КП отправлено"]
    assert deals.view(book, deal["id"])["stage"] == "КП отправлено"


def test_stage_move_reorders(book):
    pipeline.move(book, "Lead", after="Proposal")
    assert [s["name"] for s in pipeline.stages(book)][:3] == ["Qualified", "Proposal", "Lead"]
    pipeline.move(book, "Invoiced", before="Qualified")
    assert [s["name"] for s in pipeline.stages(book)][0] == "Invoiced"
    with pytest.raises(InputError, match="itself"):
        pipeline.move(book, "Lead", after="Lead")
    with pytest.raises(InputError, match="--after"):
        pipeline.move(book, "Lead")


def test_stage_remove_with_to_moves_open_and_closed_deals_with_history(book, clock):
    open_deal = deals.add(book, "Open one", stage="Qualified")
    closed = deals.add(book, "Closed one", stage="Qualified")
    deals.close(book, closed["id"], "lost", reason="price")
    clock("2026-11-23T09:00")
    removed = pipeline.remove(book, "Qualified", to="Proposal")
    assert removed["moved_deals"] == 2
    assert deals.view(book, open_deal["id"])["stage"] == "Proposal"
    assert deals.view(book, open_deal["id"])["stage_entered_at"] == "2026-11-23T09:00:00+03:00"
    assert deals.view(book, closed["id"])["stage"] == "Proposal"
    moves = [(h["event"], h["from_stage"], h["to_stage"]) for h in deals.history(book, open_deal["id"])]
    assert moves == [("created", None, "Qualified"), ("moved", "Qualified", "Proposal")]
    assert "Qualified" in deals.history(book, open_deal["id"])[-1]["note"]
    assert [h["event"] for h in deals.history(book, closed["id"])] == ["created", "lost"]
    assert "Qualified" not in [s["name"] for s in pipeline.stages(book)]
    assert [s["position"] for s in pipeline.stages(book)] == [1, 2, 3, 4]


def test_stage_remove_without_to_is_refused_while_a_deal_is_in_it(book):
    deal = deals.add(book, "Acme")
    with pytest.raises(Conflict, match="--to"):
        pipeline.remove(book, "Lead")
    deals.close(book, deal["id"], "lost", reason="price")
    with pytest.raises(Conflict, match="closed from it"):  # a lost deal was lost from Lead
        pipeline.remove(book, "Lead")
    removed = pipeline.remove(book, "Negotiation")  # never used: goes without --to
    assert removed["moved_deals"] == 0
    assert book.value("SELECT count(*) FROM stages WHERE name = 'Negotiation'") == 0  # nothing names it: deleted


def test_a_removed_stage_stays_in_history_and_out_of_the_pipeline(book):
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "Proposal")  # Lead is now only in the deal's history
    pipeline.remove(book, "Lead")
    assert [h["to_stage"] for h in deals.history(book, deal["id"])] == ["Lead", "Proposal"]
    assert [s["name"] for s in pipeline.stages(book)] == ["Qualified", "Proposal", "Negotiation", "Invoiced"]
    assert pipeline.first(book)["name"] == "Qualified"
    with pytest.raises(NotFound, match="no stage 'Lead'"):
        pipeline.resolve(book, "Lead")
    assert deals.add(book, "New one")["stage"] == "Qualified"


def test_removing_with_to_leaves_history_where_it_was(book):
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "Proposal")
    pipeline.remove(book, "Lead", to="Qualified")
    assert [h["to_stage"] for h in deals.history(book, deal["id"])] == ["Lead", "Proposal"]


def test_adding_a_removed_stage_brings_it_back_with_its_history(book):
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "Proposal")
    lead_id = pipeline.resolve(book, "Lead")["id"]
    pipeline.remove(book, "Lead")
    back = pipeline.add(book, "LEAD", before="Qualified", probability=5)
    assert (back["id"], back["name"], back["position"], back["probability"]) == (lead_id, "LEAD", 1, 5)
    assert [h["to_stage"] for h in deals.history(book, deal["id"])] == ["LEAD", "Proposal"]


def test_a_stage_cannot_take_the_name_of_a_removed_one(book):
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "Proposal")
    pipeline.remove(book, "Lead")
    with pytest.raises(Conflict, match="removed stage was called 'Lead'"):
        pipeline.edit(book, "Qualified", {"name": "lead"})


def test_the_role_of_a_removed_stage_is_free_again(book):
    deal = deals.add(book, "Acme", stage="Invoiced")
    pipeline.remove(book, "Invoiced", to="Negotiation")
    assert pipeline.by_role(book, "invoice") is None
    assert pipeline.add(book, "Billing", role="invoice")["role"] == "invoice"
    assert deals.view(book, deal["id"])["stage"] == "Negotiation"


def test_the_last_stage_cannot_be_removed(book):
    pipeline.install(book, [pipeline.StageSpec("Only", 50)])
    with pytest.raises(Conflict, match="at least one"):
        pipeline.remove(book, "Only")


def test_entry_task_is_created_on_entering_a_stage(book):
    pipeline.add(book, "Site visit", after="Proposal", task="Visit the client", task_due="+3d")
    deal = deals.add(book, "Acme")
    deals.move(book, deal["id"], "site")
    tasks = book.rows("SELECT text, due, origin, deal_id FROM tasks")
    assert tasks == [{"text": "Visit the client", "due": "2026-11-25", "origin": "stage", "deal_id": deal["id"]}]


def test_entry_task_in_hours_counts_from_the_moment_of_entry(book):
    pipeline.edit(book, "Qualified", {"task": "Call back", "task_due": "+2h"})
    deal = deals.add(book, "Acme")
    deals.advance(book, deal["id"])
    assert book.value("SELECT due FROM tasks") == "2026-11-22T12:00:00+03:00"


def test_entry_task_in_hours_after_a_whole_day_entry_is_due_that_day(book):
    """A move back-dated to a day has no hour: +4h is that day (no invented 04:00), +30h the day after."""
    pipeline.edit(book, "Qualified", {"task": "Call back", "task_due": "+4h"})
    pipeline.edit(book, "Proposal", {"task": "Send it", "task_due": "+30h"})
    deal = deals.add(book, "Acme", at=date(2026, 11, 19))
    deals.advance(book, deal["id"], at=date(2026, 11, 20))
    deals.advance(book, deal["id"], at=date(2026, 11, 21))
    assert [row["due"] for row in book.rows("SELECT due FROM tasks ORDER BY id")] == ["2026-11-20", "2026-11-22"]


def test_add_in_a_stage_runs_its_entry_task(book):
    pipeline.edit(book, "Proposal", {"task": "Send the proposal"})
    deal = deals.add(book, "Acme", stage="prop", at=date(2026, 11, 20))
    assert book.rows("SELECT text, due, origin FROM tasks WHERE deal_id = ?", (deal["id"],)) == [
        {"text": "Send the proposal", "due": "2026-11-21", "origin": "stage"}]


def test_loss_reasons_defaults_add_remove(book):
    assert [r["name"] for r in reasons.listing(book)] == sorted(
        ["price", "competitor", "timing", "no budget", "no response", "not a fit", "stale", "other"])
    assert reasons.add(book, "went silent")["name"] == "went silent"
    with pytest.raises(Conflict, match="already exists"):
        reasons.add(book, "Went Silent")
    with pytest.raises(InputError, match="whole name"):
        reasons.remove(book, "went")
    reasons.remove(book, "went silent")
    with pytest.raises(NotFound, match="no loss reason"):
        reasons.resolve(book, "went silent")
    with pytest.raises(Ambiguous, match="no budget, no response"):
        reasons.resolve(book, "no")
    assert reasons.resolve(book, "comp") == "competitor"
