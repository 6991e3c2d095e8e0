"""Errors a user can cause. The CLI prints them as `Error: …` and exits 1; nothing else is shown."""


class DealflowError(Exception):
    """A user mistake or a refused operation: the message says what is wrong and what to do."""


class InputError(DealflowError):
    """A typed value (date, amount, option) could not be read."""


class NotFound(DealflowError):
    """A reference (deal, contact, stage, task, invoice) names nothing."""


class Ambiguous(DealflowError):
    """A reference matches several things; the message lists them."""


class Conflict(DealflowError):
    """The operation contradicts the book's state (duplicate contact, closed deal, …)."""
