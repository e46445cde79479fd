"""Youth-vote benchmark on PostgreSQL: casts per second through the full HTTP stack, and the
time to count one million ballots. Bounded in count and time; traffic only to 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench \\
        .venv/bin/python bench/youth_vote_bench.py [--ballots 3000] [--connections 16]

Both figures are compared with a baseline measured in the same run:
- casts: POST /youth-vote/vote/cast/ (CSRF, signed pass, code and session checks, one
  transaction with participation + ballot + tracker, redirect with cookie) against a bare
  view doing one raw INSERT, both served by the same daphne processes;
- count: the tally's GROUP BY over 1,000,000 ballots against a plain COUNT(*) of them.
The database named by DATABASE_URL is migrated and gets a throw-away election; use a
scratch database.
"""

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.youth_vote_settings",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "k" * 40),
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_COOKIES": "0",
    "LOG_LEVEL": "ERROR",
    "TASKS_SYNC": "1",
}
os.environ.update(ENV)


def setup_django():
    import django

    django.setup()


def make_election(n_voters: int):
    """A frozen, open election with one class of ``n_voters`` and an open session."""
    from datetime import date, timedelta

    from django.utils import timezone

    from youth_vote import services
    from youth_vote.models import Candidate, Election

    Election.objects.filter(slug__startswith="bench-").update(status="published")
    now = timezone.now()
    slug = f"bench-{secrets.token_hex(4)}"
    election = services.election_create(
        actor=None, name="Bench", slug=slug, opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=2), total_members=8, total_substitutes=4,
    )
    districts = [
        services.district_create(election=election, actor=None, name=f"D{i}", child_population=100 + i)
        for i in range(4)
    ]
    school = services.school_create(election=election, district=districts[0], actor=None, name="S")
    for district in districts:
        for n in range(5):
            c = services.candidate_create(
                election=election, district=district, actor=None, given_name=f"K{n}",
                family_name=district.name, grade=8, birth_date=date(now.year - 14, 1, 1),
            )
            services.candidate_transition(candidate=c, to=Candidate.Status.APPROVED, actor=None)
    lines = ["student_ref,given_name,family_name,class,grade,birth_date,district"]
    for n in range(n_voters):
        lines.append(f"{n},E{n},B,7A,7,{now.year - 13}-01-01,{districts[n % 4].slug}")
    services.roll_import(election=election, school=school, data="\n".join(lines), actor=None)
    election = services.election_freeze(election=election, actor=None)
    from youth_vote.models import SchoolClass

    school_class = SchoolClass.objects.select_related("school__election").get(school=school)
    issued = services.class_codes_issue(school_class=school_class, actor=None)
    session = services.session_open(school_class=school_class, actor=None, minutes=120)
    return election, school_class, issued, session


def ballot_passes(election, issued, session) -> list[tuple[str, str]]:
    """The pass step 1 gives each student (signed exactly as the booth signs it), and a
    choice from their district's candidates."""
    from django.core import signing

    from youth_vote import booth, codes
    from youth_vote.models import Candidate

    keys = {}
    for c in Candidate.objects.filter(election=election):
        keys.setdefault(c.district_id, []).append(str(c.key))
    out = []
    for index, (voter, code) in enumerate(issued):
        hashed = codes.code_hash(election_id=election.pk, code=code)
        token = signing.dumps(
            {"v": str(voter.pk), "s": session.pk, "d": voter.district_id, "h": hashed, "e": election.pk,
             "r": index},  # class-list position: the cast then runs the roll-order check too
            salt=booth.PASS_SALT, compress=True,
        )
        choices = keys[voter.district_id] + ["blank"]
        out.append((token, choices[index % len(choices)]))
    return out


async def _client(host, port, bodies, path, results, deadline):
    reader, writer = await asyncio.open_connection(host, port)
    csrf = "b" * 32
    try:
        while bodies and time.perf_counter() < deadline:
            body = bodies.pop()
            if path.endswith("/cast/"):
                payload = f"csrfmiddlewaretoken={csrf}&ballot_pass={body[0]}&choice={body[1]}".encode()
            else:
                payload = b"x=1"
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Cookie: csrftoken={csrf}\r\nContent-Length: {len(payload)}\r\n\r\n"
            ).encode() + payload
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            results.append((int(status_line.split()[1]), time.perf_counter() - start))
    finally:
        writer.close()


async def load(ports, path, bodies, connections, max_seconds):
    results = []
    deadline = time.perf_counter() + max_seconds
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _client("127.0.0.1", ports[i % len(ports)], bodies, path, results, deadline)
            for i in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    return results, elapsed


def summarise(name, results, elapsed):
    ok = [r for r in results if r[0] in (204, 303)]
    latencies = sorted(r[1] for r in results)
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0
    rate = len(ok) / elapsed if elapsed else 0
    statuses = sorted({r[0] for r in results})
    print(f"{name:28} {len(ok):6} ok in {elapsed:5.2f} s = {rate:7.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  statuses {statuses}")
    return rate


def start_servers(kind, count, base_port):
    """``count`` daphne processes on consecutive ports, or one gunicorn with ``count`` workers."""
    procs = []
    if kind == "gunicorn":
        procs.append(
            subprocess.Popen(  # noqa: S603 -- fixed arguments, local server
                [sys.executable, "-m", "gunicorn", "-w", str(count), "-k", "gthread",
                 "--threads", "4", "-b", f"127.0.0.1:{base_port}", "democracy.wsgi:application"],
                cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )
        count = 1
    else:
        # Under ASGI, persistent database connections give 5xx (see reference perf.md).
        env = {**ENV, "DATABASE_CONN_MAX_AGE": "0"}
        for i in range(count):
            procs.append(
                subprocess.Popen(  # noqa: S603 -- fixed arguments, local server
                    [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(base_port + i),
                     "democracy.asgi:application"],
                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )
    import socket

    for i in range(count):
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", base_port + i), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    return procs


def bench_casts(args):
    from django.db import connection

    election, _class, issued, session = make_election(args.ballots)
    passes = ballot_passes(election, issued, session)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_youth_vote_insert (id uuid PRIMARY KEY)")
    connection.close()
    procs = start_servers(args.server, args.servers, args.port)
    ports = [args.port] if args.server == "gunicorn" else [args.port + i for i in range(args.servers)]
    try:
        # Warm-up, then the baseline and the real cast path, the same number of requests each.
        asyncio.run(load(ports, "/bench/bare-insert/", [1] * 200, 8, 10))
        base, t = asyncio.run(load(ports, "/bench/bare-insert/", [1] * args.ballots, args.connections, args.seconds))
        base_rate = summarise("baseline: bare raw INSERT", base, t)
        casts, t = asyncio.run(load(ports, "/youth-vote/vote/cast/", list(passes), args.connections, args.seconds))
        cast_rate = summarise("cast through the full stack", casts, t)
        print(f"ratio cast / baseline: {cast_rate / base_rate:.2f}")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=10)
    from youth_vote.models import Ballot, Participation

    stored = Ballot.objects.filter(election=election).count()
    print(f"ballots stored: {stored}, participations: {Participation.objects.filter(election=election).count()}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_youth_vote_insert")
    return election


def bench_tally(args):
    from django.db import connection

    from youth_vote import tally
    from youth_vote.models import Candidate

    election, *_ = make_election(8)
    candidates = list(Candidate.objects.filter(election=election).values_list("district_id", "pk"))
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO youth_vote_ballot (id, election_id, district_id, candidate_id)
            SELECT gen_random_uuid(), %s, c.district_id,
                   CASE WHEN g %% 21 = 0 THEN NULL ELSE c.candidate_id END
            FROM generate_series(1, %s) AS g
            JOIN (SELECT row_number() OVER () - 1 AS n, district_id, candidate_id
                  FROM (VALUES {}) AS v(district_id, candidate_id)) AS c
              ON c.n = g %% %s
            """.format(",".join(f"({int(d)},{int(c)})" for d, c in candidates)),  # noqa: S608 -- integers
            [election.pk, args.tally_ballots, len(candidates)],
        )
        cursor.execute("ANALYZE youth_vote_ballot")
        print(f"inserted {args.tally_ballots} ballots in {time.perf_counter() - start:.1f} s")
        timings = {"count": [], "group": [], "tally": []}
        for _ in range(3):
            t0 = time.perf_counter()
            cursor.execute("SELECT count(*) FROM youth_vote_ballot WHERE election_id = %s", [election.pk])
            cursor.fetchone()
            timings["count"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            counts = tally.count_ballots(election)
            timings["group"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            counted = tally.count_election(election, seed="bench")
            timings["tally"].append(time.perf_counter() - t0)
        assert sum(counts.values()) == args.tally_ballots
        assert sum(d.ballots for d in counted) == args.tally_ballots
        best = {k: min(v) for k, v in timings.items()}
        print(f"baseline COUNT(*) of {args.tally_ballots} ballots: {best['count']:.3f} s")
        print(f"tally GROUP BY:                      {best['group']:.3f} s")
        print(f"tally with ranking (count_election):  {best['tally']:.3f} s")
        print(f"ratio tally / COUNT(*): {best['tally'] / best['count']:.2f}")
        cursor.execute("DELETE FROM youth_vote_ballot WHERE election_id = %s", [election.pk])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", choices=["gunicorn", "daphne"], default="gunicorn")
    parser.add_argument("--servers", type=int, default=2, help="worker processes")
    parser.add_argument("--port", type=int, default=18650)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tally-ballots", type=int, default=1_000_000)
    parser.add_argument("--skip-casts", action="store_true")
    parser.add_argument("--skip-tally", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open("/proc/cpuinfo") as f:
        cores = sum(1 for line in f if line.startswith("processor"))
    load_avg = os.getloadavg()[0]
    print(f"machine: {cores} cores, load average {load_avg:.1f}; server: {args.server} x {args.servers}; connections: {args.connections}")
    if not args.skip_casts:
        bench_casts(args)
    if not args.skip_tally:
        bench_tally(args)


if __name__ == "__main__":
    main()
