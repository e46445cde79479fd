"""Database helpers for the busiest statements (a signature, a vote)."""

import functools

from django.db import connection
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor, is_psycopg3
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

# A preparation threshold no statement reaches (see ``prepared_cursor``).
_NEVER = 2**31 - 1


def prepared_cursor():
    """A Django cursor whose statements PostgreSQL keeps prepared on the connection.

    Django's cursors bind parameters on the client, so the server parses and plans every
    statement anew. For a signature (one INSERT … SELECT with two sub-selects) that was about
    a third of PostgreSQL's CPU: 0.40 ms a statement against 0.24–0.28 ms prepared
    (``bench/prepared_insert.py``). This cursor binds on the server and has psycopg prepare each
    statement, once per connection, statement text and parameter types. It is Django's
    wrapper around such a cursor, so query counting, the debug log and error translation work
    as for any other cursor.

    Parameters are sent typed, so a statement written for it casts where PostgreSQL cannot
    infer a type (``%s::inet`` for a parameter in a SELECT list). On other databases, or with
    psycopg 2, this is ``connection.cursor()``. A connection pooler in transaction mode must
    support protocol-level prepared statements (PgBouncer does since 1.21).
    """
    helpers = _postgresql_helpers() if connection.vendor == "postgresql" else None
    if helpers is None:
        return connection.cursor()
    cursor_class, fix_timezone = helpers
    # What ``connection.cursor()`` does, with the cursor class swapped.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django switches psycopg's automatic preparation off, and with it the explicit kind.
        # A threshold no statement reaches turns the explicit kind back on without the
        # automatic one (Django's own cursors bind on the client and never prepare anyway).
        connection.connection.prepare_threshold = _NEVER
    raw = cursor_class(connection.connection)
    fix_timezone(raw)
    if connection.queries_logged:
        raw.keep_statement = True
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@functools.cache
def _postgresql_helpers():

    if not is_psycopg3:
        return None

    class PreparingCursor(ServerBindingCursor):
        keep_statement = False

        def execute(self, query, params=None, *, prepare=None, binary=None):
            super().execute(query, params, prepare=True, binary=binary)
            if self.keep_statement and self._query is None:
                # psycopg keeps the converted statement, which Django's query log reads, only
                # when it does not prepare; convert it again for the log (debug and tests).
                self._query = self._convert_query(query, params)
            return self

    def fix_timezone(cursor):
        # As Django's ``create_cursor``: times are read in the connection's time zone.
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)

    return PreparingCursor, fix_timezone
