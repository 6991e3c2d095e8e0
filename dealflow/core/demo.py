"""A realistic sample book dated around "now", so a newcomer's first commands show what dealflow does.

Built through the same core functions a user's commands call, so the demo is also a smoke test of them.
Deterministic: the same "now" gives the same book.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from dealflow.core import activities, cadence, clock, contacts, deals, invoices, money, settings, tasks, when
from dealflow.core.book import Book
from dealflow.core.errors import Conflict

PEOPLE = [
    ("Пётр Смирнов", "Дача-Сервис", "+7 916 000-00-01", "petr@dacha-service.ru", "site"),
    ("Анна Кузнецова", "ООО Ветерок", "+7 903 123-45-67", "anna@veterok.ru", "referral"),
    ("Ivan Petrov", "Petrov & Sons", "+7 925 555-12-12", "ivan@petrov-sons.com", "cold call"),
    ("Olga Ivanova", "Sunrise Bakery", "+44 20 7946 0011", "olga@sunrisebakery.co.uk", "site"),
    ("Mark Thompson", "Thompson Logistics", "+1 415 555 0134", "mark@thompsonlog.com", "linkedin"),
    ("Sarah Miller", "Green Leaf Cafe", "+1 212 555 0199", "sarah@greenleaf.cafe", "referral"),
    ("Дмитрий Волков", "СтройМастер", "+7 495 777-88-99", "volkov@stroymaster.ru", "exhibition"),
    ("Елена Морозова", "Салон «Лилия»", "+7 812 333-22-11", "elena@liliya-salon.ru", "site"),
    ("James O'Brien", "O'Brien Dental", "+353 1 555 0101", "james@obriendental.ie", "site"),
    ("Maria Garcia", "Casa Garcia", "+34 91 555 0123", "maria@casagarcia.es", "exhibition"),
    ("Алексей Новиков", "Автосервис Новиков", "+7 916 222-33-44", "novikov@avto-n.ru", "cold call"),
    ("Chen Wei", "Lotus Imports", "+86 21 5555 0188", "chen@lotusimports.cn", "linkedin"),
    ("Наталья Соколова", "Детский центр «Радуга»", "+7 926 444-55-66", "sokolova@raduga-kids.ru", "referral"),
    ("Tom Becker", "Becker Hardware", "+49 30 5555 0177", "tom@becker-hw.de", "site"),
    ("Сергей Лебедев", "Фермерское хозяйство Лебедевых", "+7 910 111-22-33", "lebedev@ferma.ru", "exhibition"),
    ("Laura Rossi", "Rossi Interiors", "+39 02 5555 0144", "laura@rossi-interiors.it", "referral"),
    ("Игорь Козлов", "Кафе «Уют»", "+7 985 666-77-88", "kozlov@uyut-cafe.ru", "site"),
    ("Emily Clark", "Clark Yoga Studio", "+1 646 555 0166", "emily@clarkyoga.com", "linkedin"),
    ("Ольга Павлова", "Гостиница «Волга»", "+7 8452 55-66-77", "pavlova@volga-hotel.ru", "cold call"),
    ("Ahmed Hassan", "Nile Traders", "+20 2 5555 0155", "ahmed@niletraders.eg", "site"),
    ("Татьяна Федорова", "Аптека «Здоровье»", "+7 917 888-99-00", "fedorova@zdorovie-apteka.ru", "referral"),
    ("Lucas Martin", "Martin Bikes", "+33 1 5555 0122", "lucas@martinbikes.fr", "exhibition"),
    ("Михаил Егоров", "Пекарня Егорова", "+7 921 000-11-22", "egorov@pekarnya.ru", "site"),
    ("Nina Schultz", "Schultz Architects", "+49 89 5555 0133", "nina@schultz-arch.de", "linkedin"),
]

PRODUCTS = [
    ("20 windows", 12_000_000), ("heat pump", 45_000_000), ("office furniture", 8_500_000),
    ("CRM setup", 3_000_000), ("solar panels", 150_000_000), ("security system", 22_000_000),
    ("kitchen renovation", 61_000_000), ("annual service contract", 9_600_000), ("LED lighting", 5_400_000),
    ("water filters", 1_800_000), ("roof repair", 38_000_000), ("air conditioning", 27_500_000),
]

NEXT_STEPS = ["Call to discuss terms", "Send the proposal", "Confirm the site visit", "Follow up on the quote",
              "Ask about the budget", "Send the contract", "Check the delivery date"]


def build(book: Book) -> dict[str, Any]:
    """Fill an empty book with sample contacts, deals, history and tasks; returns what was made."""
    if book.value("SELECT count(*) FROM deals"):
        raise Conflict(f"{book.path} already holds deals; `demo` only fills an empty book "
                       "(give it another --db, e.g. a file in /tmp)")
    rng = random.Random(20261122)
    now = clock.now()
    today = now.date()
    stages = book.rows("SELECT * FROM stages ORDER BY position")
    with book.transaction():
        settings.set_value(book, "seller.name", "Alex Seller")
        people = [contacts.add(book, name, company=company, phone=phone, email=email, source=source,
                               created_at=when.to_text(_at(today - timedelta(days=120 - i * 3), 10)))
                  for i, (name, company, phone, email, source) in enumerate(PEOPLE)]
        made = []
        for index, person in enumerate(people):
            product, price = PRODUCTS[index % len(PRODUCTS)]
            currency = "RUB" if any("а" <= ch <= "я" for ch in person["name"].lower()) else "USD"
            value = price if currency == "RUB" else price // 80
            target, age, rest = _timeline(index, stages, rng)
            deal = deals.add(book, f"{person['company']} — {product}", contact=str(person["id"]),
                             value=money.to_plain(value), currency=currency, source=person["source"],
                             owner=rng.choice(["alex", "maria"]), at=_at(today - timedelta(days=age), 9),
                             close=today + timedelta(days=rng.randint(5, 60)))
            made.append(_walk(book, deal, stages, today, (target, age, rest), index, rng))
        _extra_tasks(book, made, today, rng)
        _agenda_story(book, people, made, today)
        _park_undecided(book, made, today)
        _invoices(book, now)
    return {"contacts": book.value("SELECT count(*) FROM contacts"), "deals": book.value("SELECT count(*) FROM deals")}


def _at(day, hour: int) -> datetime:
    return clock.localize(datetime.combine(day, time(hour, 0)))


# Sample deals left too long in their stage (a qualified lead, a big proposal waiting for an answer): the
# stuck deals of the demo's agenda. Every other open deal is within its stage's limit.
STUCK = (1, 16)


def _timeline(index: int, stages: list[dict[str, Any]], rng: random.Random) -> tuple[int, int, int]:
    """(where the deal ends, days since it was created, days it has been in its last stage).

    Leads are a day old; other open deals near their stage's limit, so that `today --on` a few days ahead shows
    some become stuck; the STUCK ones well past it.
    """
    target = index % (len(stages) + 2)  # a spread over every stage, plus won and lost
    if target == 0:
        return target, 1, 1
    limit = stages[min(target, len(stages) - 1)]["max_days"] or 14
    rest = limit + rng.randint(3, 9) if index in STUCK else max(limit - rng.randint(0, 3), 1)
    return target, rng.randint(rest + 20, 80), rest


def _walk(book: Book, deal: dict[str, Any], stages: list[dict[str, Any]], today, timeline: tuple[int, int, int],
          index: int, rng: random.Random) -> dict[str, Any]:
    """Move a fresh deal along the pipeline over its life (see `_timeline`), and sometimes close it."""
    target, age, rest = timeline
    lost = target == len(stages) + 1
    steps = 1 + index % (len(stages) - 1) if lost else min(target, len(stages) - 1)  # lost early or late
    for step in range(1, steps + 1):
        days_ago = rest + (steps - step) * (age - rest) // steps  # spread from creation, the last `rest` ago
        deals.move(book, deal["id"], stages[step]["name"], at=_at(today - timedelta(days=days_ago), 11 + step % 5))
    if target == len(stages):
        deals.close(book, deal["id"], "won", note="signed")
    elif lost:
        reason = rng.choice(["price", "competitor", "no budget", "timing"])
        deals.close(book, deal["id"], "lost", reason=reason, note="chose another offer")
    return deals.view(book, deal["id"])


def _extra_tasks(book: Book, made: list[dict[str, Any]], today, rng: random.Random) -> None:
    """Next steps for most open deals: some overdue, some today, some later; a few deals have none."""
    for deal in made:
        if deal["status"] != "open" or rng.random() < 0.2:
            continue
        due = today + timedelta(days=rng.choice([-3, -1, 0, 0, 1, 2, 5]))
        tasks.create(book, rng.choice(NEXT_STEPS), due, deal_id=deal["id"])


# Parked deals, most valuable first: (days since parking, days since each touch logged since then). Each fits
# in the days its deal has sat in its stage (see `_timeline`): a follow-up due today, one a day overdue, one
# with all 3 touches done and one whose tier allows none (both to decide), one due later.
PARKED = [(7, []), (8, []), (7, [6, 4, 1]), (2, []), (3, [])]


def _park_undecided(book: Book, made: list[dict[str, Any]], today) -> None:
    """Clients who went to think: a follow-up due later, one overdue, one due today and two to decide.

    The demo's deals are priced in USD (the default currency) in the thousands, so the demo's tiers are
    scaled to them; the README's example shows the default tiers.
    """
    settings.set_value(book, "cadence.tiers", "0:0, 500:0.5, 2000:1, 10000:1.5")
    invoicing = {stage["name"] for stage in book.rows("SELECT name FROM stages WHERE role IS NOT NULL")}
    undecided = sorted((deal for deal in made if deal["status"] == "open" and deal["currency"] == "USD"
                        and deal["stage"] not in invoicing), key=lambda deal: (-deal["value"], deal["id"]))
    for deal, (parked_ago, touches_ago) in zip(undecided, PARKED):
        entered = when.from_text(deal["stage_entered_at"])  # parked after the deal entered its stage
        cadence.park(book, deal["id"], at=max(_at(today - timedelta(days=parked_ago), 12), entered),
                     note="went to think after the proposal")
        for number, ago in enumerate(touches_ago):
            activities.record(book, "call" if number % 2 else "email", when.to_text(_at(today - timedelta(days=ago), 16)),
                              deal_id=deal["id"], direction="out", note="followed up; still thinking")


def _agenda_story(book: Book, people: list[dict[str, Any]], made: list[dict[str, Any]], today) -> None:
    """What makes a first `dealflow today` full: calls logged, a missed call this morning, a forgotten deal."""
    open_deals = [deal for deal in made if deal["status"] == "open"]
    for deal in open_deals[:4]:
        activities.log(book, str(deal["id"]), "call", "talked about the offer", duration="6m",
                       at=_at(today - timedelta(days=1), 15))
    # A rouble deal: the parked deals are dollar ones (see _park_undecided), whose next touch a call would be.
    caller = next(deal for deal in reversed(open_deals) if deal["currency"] == "RUB")
    activities.log(book, str(caller["id"]), "call", missed=True,
                   at=clock.localize(datetime.combine(today, time(8, 40))))
    forgotten = people[11]  # an old contact whose deal nobody touched for months: stale, stuck, no next step
    deals.add(book, f"{forgotten['company']} — repeat order", contact=str(forgotten["id"]), value="4 200",
              currency="USD", source="referral", stage="Qualified", at=_at(today - timedelta(days=130), 10))


def _invoices(book: Book, now: datetime) -> None:
    """Money in every state: a deal invoiced and paid in two parts (so it is won), an invoice partly paid
    and overdue, one unpaid and overdue; the won deals and one deal in the invoice stage stay never invoiced.
    Parked deals are left to their cadence."""
    in_invoice_stage = book.rows(
        """SELECT d.* FROM deals d JOIN stages s ON s.id = d.stage_id
           WHERE d.status = 'open' AND s.role = 'invoice' ORDER BY d.stage_entered_at, d.id LIMIT 2""")
    earlier = book.rows(
        """SELECT d.* FROM deals d JOIN stages s ON s.id = d.stage_id
           WHERE d.status = 'open' AND s.role IS NULL
             AND NOT EXISTS (SELECT 1 FROM cadences k WHERE k.deal_id = d.id AND k.ended_at IS NULL)
           ORDER BY s.position DESC, d.stage_entered_at, d.id LIMIT 1""")

    def after_entry(deal: dict[str, Any], days: int) -> datetime:
        entered = when.as_datetime(when.from_text(deal["stage_entered_at"]))
        return min(_at(entered.date() + timedelta(days=days), 10), now)

    for deal in earlier:
        share = deal["value"] * 4 // 5
        paid = invoices.add(book, deal["id"], at=after_entry(deal, 1),
                            items=["Equipment=1*" + money.to_plain(share),
                                   "Installation=2*" + money.to_plain((deal["value"] - share) // 2)])
        invoices.pay(book, paid["number"], amount=money.to_plain(paid["total"] // 2), at=after_entry(deal, 3),
                     method="transfer")
        invoices.pay(book, paid["number"], at=after_entry(deal, 7), method="card")
    for index, deal in enumerate(in_invoice_stage):
        issued = after_entry(deal, 1)
        overdue = invoices.add(book, deal["id"], at=issued, due="+7d")
        if index == 0:
            invoices.pay(book, overdue["number"], amount=money.to_plain(overdue["total"] * 2 // 5),
                         at=after_entry(deal, 4), method="transfer")
