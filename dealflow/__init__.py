"""dealflow: a terminal CRM for solo sellers, kept in one SQLite file."""

__version__ = "0.1.0"
