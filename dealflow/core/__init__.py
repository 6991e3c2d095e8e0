"""The CRM as a library: functions take a `Book` and plain values and return plain rows.

    from dealflow.core import Book, deals
    book = Book.open("crm.db")
    deal = deals.add(book, "Acme — 20 windows", value="120 000")
"""

from dealflow.core.book import Book
from dealflow.core.errors import DealflowError

__all__ = ["Book", "DealflowError"]
