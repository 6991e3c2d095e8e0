"""dealflow: a terminal CRM for solo sellers, kept in one SQLite file.

The modules `dealflow today` loads keep its start-up short (a test lists what they must not load):
- they do not import `typing` (about 3 ms): their annotations are never evaluated (`from __future__ import
  annotations`), so the names they use are imported only for type checkers, under `TYPE_CHECKING = False` /
  `if TYPE_CHECKING:`, which mypy and pyright understand;
- nor `re` (about 4 ms, with enum): their patterns are `text.Regex` constants, compiled on first use;
- nor `contextlib`: context managers on that path are small classes, others import it where they are used.
"""

__version__ = "0.1.0"
