"""Youth-vote benchmark on PostgreSQL: casts per second through the full HTTP stack, and the
time to count 48,000 encrypted ballots. Bounded in count and time; traffic only to 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench REDIS_URL=redis://… \\
        .venv/bin/python bench/youth_vote_bench.py [--ballots 2000] [--connections 32,256]

The casts are served as deployed: `make run-production` (the command the README documents,
with the same environment; its settings module adds the baseline view) with nginx in front
over TLS (deploy/nginx/delta.conf on our own ports, deploy/stack.py), and measured both on
gunicorn's port directly and through nginx. Both figures are compared with a baseline
measured in the same run:
- casts: POST /youth-vote/vote/cast/ (CSRF, signed pass, code and session checks, one
  transaction with participation + ballot + tracker, redirect with cookie) against a bare
  view doing one raw INSERT, both served by the same gunicorn processes, the same way
  (directly or through nginx);
- count: 48,000 encrypted ballots, added to the running sums by the worker's fold as while
  voting runs, then closing (the last fold and decrypting the sums with the trustees'
  shares), against a plain COUNT(*) of them; also the count without running sums; then the
  independent verifier over the same ballots.
The database named by DATABASE_URL is migrated and gets a throw-away election; use a
scratch database.
"""

import argparse
import asyncio
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from deploy.stack import (  # noqa: E402
    find_nginx,
    make_certificate,
    nginx_conf,
    production_env,
    start_nginx,
    stop_run_production,
)

# Ports (8350-8359 on the shared development machine): nginx (TLS), gunicorn, daphne.
PORT_TLS = int(os.environ.get("BENCH_TLS_PORT", "8353"))
PORT_APP = int(os.environ.get("BENCH_HTTP_PORT", "8351"))
PORT_ASGI = int(os.environ.get("BENCH_ASGI_PORT", "8352"))
HOST = f"127.0.0.1:{PORT_TLS}"
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the certificate is made by this run, self-signed
TARGETS = {"direct": (PORT_APP, None), "nginx": (PORT_TLS, TLS)}
# What `make run-production` gets (docs/deployment.md), on our ports, with the settings module
# that adds the baseline view.
SERVER_ENV = production_env(
    tls_port=PORT_TLS,
    http_port=PORT_APP,
    asgi_port=PORT_ASGI,
    lift_limits=False,
    DJANGO_SETTINGS_MODULE="bench.youth_vote_settings",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "k" * 40),
    LOG_LEVEL="ERROR",
)
# This process makes the data, as a management command in production would.
ENV = {**SERVER_ENV, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "TASKS_SYNC": "1"}
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
    election, sheets = services.election_freeze(election=election, actor=None)
    from youth_vote.models import SchoolClass

    school_class = SchoolClass.objects.select_related("school__election").get(school=school)
    issued = services.class_codes_issue(school_class=school_class, actor=None)
    session = services.session_open(school_class=school_class, actor=None, minutes=120)
    return election, school_class, issued, session, sheets


def ballot_passes(election, issued, session) -> list[tuple[str, str]]:
    """The pass step 1 gives each student (encrypted exactly as the booth does it), and a
    choice from their district's candidates."""
    import json

    from youth_vote import booth, codes
    from youth_vote.models import Candidate

    keys = {}
    for c in Candidate.objects.filter(election=election):
        keys.setdefault(c.district_id, []).append(str(c.key))
    cipher = booth.pass_cipher()
    out = []
    for index, (voter, code) in enumerate(issued):
        hashed = codes.code_hash(election_id=election.pk, code=code)
        payload = {"v": str(voter.pk), "s": session.pk, "d": voter.district_id, "h": hashed,
                   "e": election.pk,
                   "r": index}  # class-list position: the cast then runs the roll-order check too
        token = cipher.encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()
        choices = keys[voter.district_id] + ["blank"]
        out.append((token, choices[index % len(choices)]))
    return out


async def _client(target, bodies, path, results, deadline):
    port, context = TARGETS[target]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    csrf = "b" * 32
    try:
        while bodies and time.perf_counter() < deadline:
            body = bodies.pop()
            if path.endswith("/cast/"):
                payload = f"csrfmiddlewaretoken={csrf}&ballot_pass={body[0]}&choice={body[1]}".encode()
            else:
                payload = b"x=1"
            # X-Forwarded-Proto and X-Real-IP as nginx sets them, so that gunicorn measured
            # directly sees the same request.
            request = (
                f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n"
                "X-Forwarded-Proto: https\r\nX-Real-IP: 127.0.0.1\r\n"
                f"Origin: https://{HOST}\r\nReferer: https://{HOST}/youth-vote/vote/\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Cookie: csrftoken={csrf}\r\nContent-Length: {len(payload)}\r\n\r\n"
            ).encode() + payload
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:  # the server closed the keep-alive connection: reopen
                results.append((0, time.perf_counter() - start))
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
                continue
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


async def load(target, path, bodies, connections, max_seconds):
    results = []
    deadline = time.perf_counter() + max_seconds
    start = time.perf_counter()
    await asyncio.gather(
        *(_client(target, bodies, path, results, deadline) for _ in range(connections))
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
    print(f"{name:40} {len(ok):6} ok in {elapsed:5.2f} s = {rate:7.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  statuses {statuses}")
    return rate, len(results) - len(ok)


def start_stack(tmp: Path):
    """`make run-production` and nginx in front of it; returns the two processes."""
    nginx = find_nginx()
    if not nginx:
        sys.exit("The benchmark needs nginx and openssl (Debian: apt-get install nginx openssl).")
    static_root, media_root = tmp / "static", tmp / "media"
    env = dict(SERVER_ENV, STATIC_ROOT=str(static_root), MEDIA_ROOT=str(media_root))
    make_certificate(tmp)
    log = open(tmp / "run-production.log", "w")  # noqa: SIM115
    app = subprocess.Popen(  # noqa: S603
        ["make", "--no-print-directory", "run-production"],  # noqa: S607
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    conf = nginx_conf(
        tmp, static_root, media_root, tls_port=PORT_TLS, http_port=PORT_APP, asgi_port=PORT_ASGI
    )
    proxy = start_nginx(nginx, conf, tmp)
    import http.client

    deadline = time.time() + 180
    for port, context in (TARGETS["direct"], TARGETS["nginx"]):
        while True:
            if app.poll() is not None:
                sys.exit(f"make run-production exited; see {tmp}/run-production.log")
            try:
                conn = (
                    http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=2)
                    if context
                    else http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                )
                conn.request("GET", "/healthz", headers={"Host": HOST, "X-Real-IP": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit(f"the stack did not answer /healthz; see {tmp}")
            time.sleep(0.5)
    print(f"make run-production (pid {app.pid}) and nginx (pid {proxy.pid}) up; logs in {tmp}")
    return app, proxy


def stop_stack(app, proxy):
    proxy.send_signal(signal.SIGQUIT)
    try:
        proxy.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proxy.kill()
    stop_run_production(app)


def bench_casts(args):
    from django.db import connection

    counts = [int(c) for c in args.connections.split(",")]
    phases = [(c, target) for c in counts for target in ("direct", "nginx")]
    election, _class, issued, session, _sheets = make_election(args.ballots * len(phases))
    passes = ballot_passes(election, issued, session)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_youth_vote_insert (id uuid PRIMARY KEY)")
    connection.close()
    tmp = Path(tempfile.mkdtemp(prefix="delta-youth-bench-"))
    tmp.chmod(0o755)  # nginx's workers run as another user when it is started as root
    app, proxy = start_stack(tmp)
    errors = {}
    try:
        # Warm-up, then for each number of connections and each way in, the baseline and the
        # real cast path, the same number of requests each.
        for target in ("direct", "nginx"):
            asyncio.run(load(target, "/bench/bare-insert/", [1] * 200, 8, 10))
        for connections, target in phases:
            label = f"{connections} conn., {target}"
            base, t = asyncio.run(
                load(target, "/bench/bare-insert/", [1] * args.ballots, connections, args.seconds)
            )
            base_rate, _ = summarise(f"baseline: bare INSERT ({label})", base, t)
            mine = [passes.pop() for _ in range(args.ballots)]
            casts, t = asyncio.run(
                load(target, "/youth-vote/vote/cast/", mine, connections, args.seconds)
            )
            cast_rate, failed = summarise(f"cast, full stack ({label})", casts, t)
            errors[label] = failed
            print(f"  ratio cast / baseline ({label}): {cast_rate / base_rate:.2f}")
    finally:
        stop_stack(app, proxy)
    from youth_vote.models import Ballot, Participation

    stored = Ballot.objects.filter(election=election).count()
    print(f"ballots stored: {stored}, participations: {Participation.objects.filter(election=election).count()}")
    print(f"cast errors (not 303): {errors}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_youth_vote_insert")
    return election


def bench_tally(args):
    """The count: add the encrypted ballots per district and candidate and decrypt the sums
    with k trustees' shares (with their proofs), against a plain COUNT(*) of the same rows;
    then the independent verifier over the export of the same ballots."""
    import json

    from django.db import connection

    from youth_vote import casting, codes, counting, crypto, tasks, verify
    from youth_vote.models import Ballot, BallotSum, District

    election, _class, _issued, _session, sheets = make_election(8)
    layout = casting.ballot_layout(election)
    districts = list(District.objects.filter(election=election).order_by("pk"))
    start = time.perf_counter()
    rows = []
    for n in range(args.tally_ballots):
        district = districts[n % len(districts)]
        options = len(layout.options[district.pk])
        chosen = None if n % 21 == 0 else n % options
        rows.append(
            Ballot(
                election=election,
                district=district,
                ciphertext=crypto.ballot_encrypt(layout.public_key, options=options, chosen=chosen),
            )
        )
    encrypt = time.perf_counter() - start
    Ballot.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE youth_vote_ballot")
    options = sum(len(layout.options[d.pk]) for d in districts) / len(districts)
    print(
        f"encrypted {args.tally_ballots} ballots ({options:.0f} options each): "
        f"{encrypt / args.tally_ballots * 1000:.2f} ms per ballot on one core"
    )
    shares = [
        crypto.TrusteeShare(index=s.number, secret=codes.share_parse(s.code)) for s in sheets
    ][: election.trustee_threshold]
    # Worst case first: the worker never ran, so the count adds every ballot itself.
    timings = {"count": [], "from_scratch": [], "close": []}
    for _ in range(2):
        BallotSum.objects.filter(election=election).update(ballots=0, sums=b"")
        Ballot.objects.filter(election=election).update(summed=False)
        t0 = time.perf_counter()
        decryption = counting.decrypt_sums(election, shares)
        timings["from_scratch"].append(time.perf_counter() - t0)
    # As deployed: the worker adds the ballots while voting runs (every minute, in folds of
    # at most 20,000), so closing only decrypts.
    BallotSum.objects.filter(election=election).update(ballots=0, sums=b"")
    Ballot.objects.filter(election=election).update(summed=False)
    t0 = time.perf_counter()
    folded = tasks.ballot_sums_fold()
    fold = time.perf_counter() - t0
    assert folded == args.tally_ballots
    for _ in range(3):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM youth_vote_ballot WHERE election_id = %s", [election.pk])
            cursor.fetchone()
        timings["count"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        decryption = counting.decrypt_sums(election, shares)
        timings["close"].append(time.perf_counter() - t0)
    assert sum(d["ballots"] for d in decryption["districts"]) == args.tally_ballots
    best = {k: min(v) for k, v in timings.items()}
    print(f"baseline COUNT(*) of {args.tally_ballots} ballots: {best['count']:.3f} s")
    print(
        f"count without running sums (add all + {len(shares)} partial decryptions with proofs): "
        f"{best['from_scratch']:.3f} s"
    )
    print(
        f"worker's folds while voting runs: {fold:.1f} s of one core in all, "
        f"{fold / args.tally_ballots * 1000:.3f} ms per ballot"
    )
    print(f"closing with running sums (last fold + decryptions with proofs): {best['close']:.3f} s")
    print(f"ratio closing / COUNT(*): {best['close'] / best['count']:.0f}")
    # The verifier re-checks everything from an export of these ballots.
    slugs = {d.pk: d.slug for d in districts}
    export = {
        "config": election.config,
        "fingerprint": election.fingerprint,
        "ballots": [[slugs[b.district_id], bytes(b.ciphertext).hex()] for b in rows],
        "trackers": [f"T{n}" for n in range(len(rows))],
        "decryption": decryption,
        "tie_seed": "bench",
        "results": {"districts": []},
    }
    export = json.loads(json.dumps(export))
    t0 = time.perf_counter()
    problems = verify.verify(export)
    took = time.perf_counter() - t0
    assert all("No published result" in p for p in problems), problems[:3]
    print(f"independent verifier over {len(rows)} ballots: {took:.1f} s")
    Ballot.objects.filter(election=election).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=2000, help="casts per phase")
    parser.add_argument("--connections", default="32,256", help="comma-separated")
    parser.add_argument("--seconds", type=float, default=15, help="at most, per phase")
    parser.add_argument("--tally-ballots", type=int, default=48_000)
    parser.add_argument("--skip-casts", action="store_true")
    parser.add_argument("--skip-tally", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
    if not args.skip_casts and not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("Set REDIS_URL (make run-production needs it).")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open("/proc/cpuinfo") as f:
        cores = sum(1 for line in f if line.startswith("processor"))
    load_avg = os.getloadavg()[0]
    print(f"machine: {cores} cores, load average {load_avg:.1f}; make run-production behind nginx; connections: {args.connections}")
    if not args.skip_casts:
        bench_casts(args)
    if not args.skip_tally:
        bench_tally(args)


if __name__ == "__main__":
    main()
