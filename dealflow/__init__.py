"""dealflow: a terminal CRM for solo sellers, kept in one SQLite file.

The modules `dealflow today` loads do not import `typing` (about 3 ms of every start): their annotations
are never evaluated (`from __future__ import annotations`), so the names they use are imported only for
type checkers, under `TYPE_CHECKING = False` / `if TYPE_CHECKING:`, which mypy and pyright understand.
"""

__version__ = "0.1.0"
