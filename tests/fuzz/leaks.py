"""What no answer of the platform may show a caller: text that comes from the database or from an unhandled
exception. Shared by the fuzzers in this folder."""

from __future__ import annotations

# Lower-cased; a body's text is lower-cased before the search.
DATABASE_TEXT = ("asyncpg", "psycopg", "postgres", "sqlstate", "violates", "syntax error", "relation \"",
                 "traceback", "unexpected error")


def leaked(text: str) -> list[str]:
    """The database or internal error texts found in `text`."""
    lowered = text.lower()
    return [leak for leak in DATABASE_TEXT if leak in lowered]
