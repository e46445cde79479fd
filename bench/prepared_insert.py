"""What preparing the signature INSERT saves (docs/decisions.md 67), with psycopg alone.

Runs the statement ``proposals.services.proposal_sign`` sends, 2,500 times bound on the client
(as Django's cursors do) and 2,500 times prepared, twice each, and prints the CPU the
PostgreSQL backend and this process spent per statement (from ``/proc``, so PostgreSQL must
run on this machine). It needs a database that ``make bench-sign`` has filled (bench users and
a published proposal) and empties that bench proposal's signatures. Run it with::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench_sign \\
        .venv/bin/python bench/prepared_insert.py
"""

import os
import sys
import time
from datetime import UTC, datetime

import psycopg

STATEMENTS = 2500
SQL = (
    "INSERT INTO proposals_signature (proposal_id, user_id, district_id, public_name, notify, "
    "ip_address, network, email_domain, status, created_at) "
    "SELECT %s, %s, (SELECT id FROM proposals_district WHERE id = %s), %s, %s, %s::inet, "
    "%s, %s, %s, %s "
    "WHERE EXISTS (SELECT 1 FROM proposals_proposal WHERE id = %s AND status = %s "
    "AND closes_at > %s) ON CONFLICT DO NOTHING RETURNING id"
)


def backend_cpu(conn) -> float:
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set BENCH_DATABASE_URL to the database `make bench-sign` filled.")
    with psycopg.connect(url, autocommit=True) as conn:
        proposal = conn.execute(
            "SELECT id FROM proposals_proposal WHERE status = 'published' "
            "AND closes_at > now() ORDER BY id DESC LIMIT 1"
        ).fetchone()
        users = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM accounts_user WHERE email LIKE 'bench%%' ORDER BY id LIMIT %s",
                [STATEMENTS],
            )
        ]
        district = conn.execute("SELECT id FROM proposals_district LIMIT 1").fetchone()
    if proposal is None or len(users) < STATEMENTS or district is None:
        sys.exit("Run `make bench-sign` on this database first.")
    proposal_id, district_id = proposal[0], district[0]
    for mode in ("client-side binding", "prepared", "client-side binding", "prepared"):
        prepared = mode == "prepared"
        factory = psycopg.Cursor if prepared else psycopg.ClientCursor
        with psycopg.connect(url, autocommit=True, cursor_factory=factory) as conn:
            if prepared:
                conn.prepare_threshold = 2**31 - 1  # explicit preparation only, as Delta
            conn.execute("DELETE FROM proposals_signature WHERE proposal_id = %s", [proposal_id])
            cursor = conn.cursor()
            server_before, client_before = backend_cpu(conn), time.process_time()
            for user_id in users:
                now = datetime.now(UTC)
                params = [
                    proposal_id, user_id, district_id, "", False, "192.0.2.1", "192.0.2.0/24",
                    "bench.example", "valid", now, proposal_id, "published", now,
                ]  # fmt: skip
                cursor.execute(SQL, params, prepare=True if prepared else None)
                cursor.fetchone()
            server = (backend_cpu(conn) - server_before) * 1000 / len(users)
            client = (time.process_time() - client_before) * 1000 / len(users)
            conn.execute("DELETE FROM proposals_signature WHERE proposal_id = %s", [proposal_id])
        print(f"{mode:>20}: PostgreSQL {server:.3f} ms, client {client:.3f} ms per INSERT")


if __name__ == "__main__":
    main()
