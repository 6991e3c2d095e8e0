"""Deals: add (with its contact and first task), stage changes with history, closing, reopening, listing."""

from datetime import date, datetime, timedelta, timezone

import pytest

from dealflow.core import contacts, deals, pipeline, settings
from dealflow.core.errors import Ambiguous, Conflict, InputError, NotFound

MSK = timezone(timedelta(hours=3))


def test_add_creates_contact_and_first_task(book):
    deal = deals.add(book, "Окна для дачи", contact="Пётр", phone="+7 916 000-00-01", value="120 000",
                     currency="RUB", source="site", next_text="перезвонить", next_due=date(2026, 11, 23))
    assert (deal["title"], deal["contact"], deal["stage"], deal["value"], deal["currency"]) == (
        "Окна для дачи", "Пётр", "Lead", 12_000_000, "RUB")
    assert deal["probability"] == 10 and deal["next_due"] == "2026-11-23"
    assert book.row("SELECT text, due, origin FROM tasks") == {"text": "перезвонить", "due": "2026-11-23",
                                                                "origin": "manual"}
    assert book.value("SELECT phone_digits FROM contacts") == "79160000001"


def test_next_defaults_to_today_and_due_needs_next(book):
    assert deals.add(book, "A", next_text="call")["next_due"] == "2026-11-22"
    with pytest.raises(InputError, match="--next"):
        deals.add(book, "B", next_due=date(2026, 11, 23))


def test_contact_found_by_email_phone_ref_or_created(book):
    petr = contacts.add(book, "Пётр", email="p@x.ru", phone="+7 916 000-00-01")
    assert deals.add(book, "A", email="P@X.RU")["contact_id"] == petr["id"]
    assert deals.add(book, "B", phone="8 916 000 00 01".replace("8 ", "7 "))["contact_id"] == petr["id"]
    assert deals.add(book, "C", contact="пётр")["contact_id"] == petr["id"]
    assert deals.add(book, "D", contact=f"#{petr['id']}", company="Дача")["contact_id"] == petr["id"]
    assert contacts.get(book, petr["id"])["company"] == "Дача"  # an empty field was filled
    with pytest.raises(Conflict, match="already has phone"):  # not a silent second Пётр, nor a dropped phone
        deals.add(book, "E", contact="Пётр", phone="+7 900 000-00-09")
    namesake = contacts.add(book, "Пётр", phone="+7 900 000-00-09")
    other = deals.add(book, "E", contact="Пётр", phone="+7 900 000-00-09")  # his phone says which Пётр
    assert other["contact_id"] == namesake["id"] != petr["id"]
    with pytest.raises(Ambiguous, match="Пётр"):
        deals.add(book, "F", contact="пётр")
    assert deals.add(book, "G")["contact_id"] is None


def test_add_defaults_currency_and_owner_from_settings(book):
    from dealflow.core import settings

    settings.set_value(book, "currency", "RUB")
    settings.set_value(book, "owner", "alex")
    deal = deals.add(book, "A", value="$5")
    assert (deal["currency"], deal["owner"]) == ("USD", "alex")
    assert deals.add(book, "B", value="5")["currency"] == "RUB"
    with pytest.raises(InputError, match="EUR"):
        deals.add(book, "C", value="€5", currency="USD")


def test_move_advance_won_reopen_history(book, clock):
    deal = deals.add(book, "Acme")
    clock("2026-11-24T10:00")
    deals.move(book, 1, "prop", note="sent")
    clock("2026-11-25T10:00")
    deals.advance(book, "#1")
    clock("2026-11-26T10:00")
    won = deals.close(book, 1, "won", note="signed")
    assert (won["status"], won["probability"], won["closed_at"]) == ("won", 100, "2026-11-26T10:00:00+03:00")
    clock("2026-11-27T10:00")
    reopened = deals.reopen(book, 1)
    assert (reopened["status"], reopened["stage"], reopened["closed_at"]) == ("open", "Negotiation", None)
    history = [(h["event"], h["from_stage"], h["to_stage"], h["at"][:10], h["note"], h["days"])
               for h in deals.history(book, deal["id"])]
    assert history == [
        ("created", None, "Lead", "2026-11-22", None, 2),
        ("moved", "Lead", "Proposal", "2026-11-24", "sent", 1),
        ("moved", "Proposal", "Negotiation", "2026-11-25", None, 1),
        ("won", "Negotiation", "won", "2026-11-26", "signed", None),
        ("reopened", "Negotiation", "Negotiation", "2026-11-27", None, 0),
    ]


def test_moving_a_closed_deal_suggests_reopen(book):
    deals.add(book, "Acme")
    deals.close(book, 1, "lost", reason="price")
    for action in (lambda: deals.move(book, 1, "Proposal"), lambda: deals.advance(book, 1),
                   lambda: deals.close(book, 1, "won")):
        with pytest.raises(Conflict, match="dealflow reopen 1"):
            action()


def test_advancing_past_the_last_stage_suggests_won(book):
    deals.add(book, "Acme", stage="Invoiced")
    with pytest.raises(Conflict, match="dealflow won 1"):
        deals.advance(book, 1)


def test_unknown_deal_stage_and_reason(book):
    deals.add(book, "Acme")
    with pytest.raises(NotFound, match="no deal #9"):
        deals.move(book, 9, "Lead")
    with pytest.raises(NotFound, match="no stage"):
        deals.move(book, 1, "Shipping")
    with pytest.raises(NotFound, match="no loss reason"):
        deals.close(book, 1, "lost", reason="aliens")
    with pytest.raises(InputError, match="--reason"):
        deals.close(book, 1, "lost")
    with pytest.raises(InputError, match="deal number"):
        deals.get(book, "abc")


def test_lost_records_reason_and_note_and_completes_tasks(book):
    deals.add(book, "Acme", next_text="call")
    lost = deals.close(book, 1, "lost", reason="comp", note="chose a competitor")
    assert (lost["lost_reason"], book.value("SELECT lost_note FROM deals")) == ("competitor", "chose a competitor")
    assert book.value("SELECT done_at FROM tasks") == "2026-11-22T10:00:00+03:00"
    reopened = deals.reopen(book, 1, stage="Qualified")
    assert (reopened["lost_reason"], reopened["stage"]) == (None, "Qualified")


def test_at_backdates_and_is_validated(book, clock):
    deals.add(book, "Acme", at=datetime(2026, 11, 10, 9, 0, tzinfo=MSK))
    moved = deals.move(book, 1, "Qualified", at=date(2026, 11, 15))
    assert (moved["stage_entered_at"], moved["days_in_stage"]) == ("2026-11-15", 7)
    with pytest.raises(InputError, match="before deal #1 moved to Qualified"):
        deals.move(book, 1, "Proposal", at=date(2026, 11, 14))
    with pytest.raises(InputError, match="future"):
        deals.close(book, 1, "won", at=date(2026, 11, 23))
    with pytest.raises(InputError, match="future"):
        deals.add(book, "Later", at=datetime(2026, 11, 22, 11, 0, tzinfo=MSK))
    won = deals.close(book, 1, "won", at=date(2026, 11, 15))  # the same whole day is not "before"
    assert won["closed_at"] == "2026-11-15"
    with pytest.raises(InputError, match="before"):
        deals.reopen(book, 1, at=date(2026, 11, 14))


def test_at_today_on_a_deal_created_this_morning(book):
    deals.add(book, "Acme")
    assert deals.close(book, 1, "won", at=date(2026, 11, 22))["status"] == "won"
    assert [h["event"] for h in deals.history(book, 1)] == ["created", "won"]


def test_edit_fields_tags_and_probability(book):
    petr = contacts.add(book, "Пётр")
    deals.add(book, "Acme", tags=["b2b", "windows"], probability=40)
    edited = deals.edit(book, 1, title="Acme 2", value="€1 500,50", contact="пётр", source="site", owner="maria",
                        close=date(2026, 12, 31), add_tags=["urgent"], remove_tags=["B2B"], clear_probability=True)
    assert (edited["title"], edited["value"], edited["currency"], edited["contact_id"], edited["source"],
            edited["owner"], edited["expected_close"], edited["tags"], edited["probability"]) == (
        "Acme 2", 150_050, "EUR", petr["id"], "site", "maria", "2026-12-31", "windows,urgent", 10)
    assert deals.edit(book, 1, contact="")["contact_id"] is None
    with pytest.raises(InputError, match="nothing to change"):
        deals.edit(book, 1)
    with pytest.raises(InputError, match="not both"):
        deals.edit(book, 1, probability=5, clear_probability=True)
    with pytest.raises(InputError, match="0 to 100"):
        deals.edit(book, 1, probability=101)


def test_sorting_by_value_groups_currencies_the_books_own_first(book):
    """Minor units of different currencies do not compare: $ 500 is not between ₽ 500 000 and ₽ 100."""
    for title, value in [("$500", "$500"), ("₽500k", "₽ 500 000"), ("$90k", "$ 90000"), ("€1k", "€ 1000"),
                         ("₽100", "₽ 100"), ("$20", "$ 20"), ("£5", "£ 5")]:
        deals.add(book, title, value=value)
    titles = lambda: [d["title"] for d in deals.listing(book, sort="value")]  # noqa: E731
    assert titles() == ["$90k", "$500", "$20", "€1k", "£5", "₽500k", "₽100"]  # USD (the default), then EUR GBP RUB
    settings.set_value(book, "currency", "RUB")
    assert titles() == ["₽500k", "₽100", "€1k", "£5", "$90k", "$500", "$20"]


def test_listing_filters_sorts_and_limit(book, clock):
    deals.add(book, "Small", value="100", source="site", owner="alex", tags=["b2c"], contact="Анна")
    deals.add(book, "Big", value="900", source="Referral", owner="maria", stage="Proposal", next_text="call",
              next_due=date(2026, 11, 25))
    deals.add(book, "Mid", value="500", owner="alex", next_text="call", next_due=date(2026, 11, 23))
    deals.close(book, deals.add(book, "Gone")["id"], "lost", reason="price")
    titles = lambda **kw: [d["title"] for d in deals.listing(book, **kw)]  # noqa: E731
    assert titles() == ["Small", "Mid", "Big"]
    assert titles(sort="value") == ["Big", "Mid", "Small"]
    assert titles(sort="due") == ["Mid", "Big", "Small"]
    assert titles(sort="stage") == ["Small", "Mid", "Big"]
    assert titles(status="lost") == ["Gone"]
    assert titles(status="all", limit=2) == ["Small", "Mid"]
    assert titles(owner="ALEX") == ["Small", "Mid"]
    assert titles(source="referral") == ["Big"]
    assert titles(stage="prop") == ["Big"]
    assert titles(tag="B2C") == ["Small"]
    assert titles(search="анна") == ["Small"]
    assert titles(contact="анна") == ["Small"]
    with pytest.raises(InputError, match="sort"):
        deals.listing(book, sort="colour")
    with pytest.raises(InputError, match="status"):
        deals.listing(book, status="maybe")
    with pytest.raises(InputError, match="--limit"):
        deals.listing(book, limit=0)


def test_days_in_stage_counts_whole_days(book, clock):
    deals.add(book, "Acme", at=datetime(2026, 11, 19, 23, 0, tzinfo=MSK))
    assert deals.listing(book)[0]["days_in_stage"] == 3


def test_card_of_a_closed_deal(book):
    deals.add(book, "Acme", contact="Пётр", phone="+7 916 000-00-01", note="first call went well")
    deals.close(book, 1, "lost", reason="price", note="too expensive")
    card = deals.card(book, 1)
    assert (card["status"], card["days_in_stage"], card["lost_note"], card["phone"]) == (
        "lost", None, "too expensive", "+7 916 000-00-01")
    assert [h["to_stage"] for h in card["history"]] == ["Lead", "lost"]
    assert [a["note"] for a in card["activities"]] == ["first call went well"]
    assert (card["invoices"], card["cadence"]) == ([], None)


def test_history_stays_consistent_with_the_current_stage(book, clock):
    deals.add(book, "Acme")
    for day, stage in enumerate(["Proposal", "Lead", "Negotiation", "Qualified"], start=23):
        clock(f"2026-11-{day}T10:00")
        deals.move(book, 1, stage)
        assert deals.history(book, 1)[-1]["to_stage"] == deals.view(book, 1)["stage"] == stage
    assert pipeline.resolve(book, "Qualified")["open_deals"] == 1
