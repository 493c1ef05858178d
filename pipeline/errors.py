"""The few named errors of thidua. The CLI turns each into one line that says what to do."""
from __future__ import annotations


class ThiduaError(Exception):
    """Base class; ``hint`` tells the user what to do next."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class ConfigError(ThiduaError):
    hint = "check the [tool.thidua] table, THIDUA_* variables and flags (thidua --help)"


class SourceError(ThiduaError):
    hint = "fix the named entry in the sources file"


class StoreError(ThiduaError):
    hint = "run a command that writes (thidua demo, thidua crawl) to create the database, or pass --db"


class MigrationError(StoreError):
    hint = "never edit an applied migration: restore it and add a new NNNN_*.sql file"


class QueryError(StoreError):
    hint = "check the SQL; list tables with: thidua query \"SHOW TABLES\""


class CrawlError(ThiduaError):
    hint = "see the crawl log above; the pipeline_errors table has one row per failure"
