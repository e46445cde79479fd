"""Signing benchmark for e-proposals, on PostgreSQL, in one bounded run (`make bench-sign`).

It serves Delta with gunicorn (WSGI, gthread workers) and the django-q2 worker, as a small
production would, and measures in the same run on the same machine:

1. baseline: a bare Django view without middleware that inserts one row (raw cursor);
2. signing spread over 32 proposals through the full stack: session, CSRF, rate limits and
   burst counters, the submitted values checked, INSERT … ON CONFLICT, commit (half the
   signers name a district and a quarter show their name, as on the proposal page);
3. signing one proposal through the same stack (the hot-row check); 1, 2 and 3 run in each
   of ``BENCH_ROUNDS`` rounds, in an order that turns from round to round, and the medians
   are compared, because one phase on a shared machine is noisy;
4. while 3 runs: how far the displayed count (``count.json``) lags the committed signatures.

Sessions and accounts are put in the cache beforehand, as the signer's view of the proposal
page would (``BENCH_WARM_SESSIONS=0`` measures cold ones: two more queries per signature).

Every phase sends a fixed number of requests (``BENCH_REQUESTS``) with ``BENCH_CONNECTIONS``
keep-alive connections and stops at ``BENCH_MAX_SECONDS`` whatever happens. Traffic goes to
127.0.0.1 only. Run it with::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 make bench-sign

The database named in ``BENCH_DATABASE_URL`` is created if missing and filled with bench
users and proposals (never point it at real data).
"""

import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "800"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARM_UP = 200
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# 2 workers × 4 threads on 2 cores, as the booth benchmark: more threads per process only queue
# for its interpreter lock (measured: the bare view and signing both slower with 8).
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SPREAD = 32  # proposals in the spread phase
PORT_APP, PORT_BARE = 8741, 8742


def configure_environment() -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set BENCH_DATABASE_URL to a PostgreSQL database for the benchmark.")
    env = {
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "TASKS_SYNC": "0",
        "TASK_WORKERS": "2",
        # The benchmark's signers all come from 127.0.0.1: lift the per-IP limit and the burst
        # alert, keep everything else as in production.
        "PROPOSALS_SIGN_RATE_IP": "1000000/m",
        "PROPOSALS_SIGN_RATE_USER": "1000/m",
        "PROPOSALS_BURST_THRESHOLD": "100000000",
        "PROPOSALS_SIGNATURE_THRESHOLD": "1000000000",
        "DJANGO_SETTINGS_MODULE": "democracy.settings",
        "PYTHONPATH": str(ROOT),
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        print(
            "Note: REDIS_URL is not set. The web and worker processes then share no cache, so the"
        )
        print("      counter-freshness figure is not meaningful. Set REDIS_URL for a real run.")
    os.environ.update(env)
    return dict(os.environ)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# --- Data -----------------------------------------------------------------------------------


def prepare(users_needed: int):
    """Bench users with sessions and CSRF secrets, and fresh published proposals."""
    from datetime import timedelta

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils.timezone import now as timezone_now

    from democracy.accounts.services import account_create
    from democracy.core.roles import Role
    from democracy.people.models import Organization
    from proposals import services
    from proposals.models import District, Topic

    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_sign_baseline "
            "(id bigserial PRIMARY KEY, proposal_id integer, user_id integer, created_at timestamptz)"
        )
        cursor.execute("TRUNCATE bench_sign_baseline")
    emails = [f"bench{i:06d}@bench.example" for i in range(users_needed)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=e, name="Bench", password=unusable) for e in emails if e not in have],
        batch_size=2000,
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    Session.objects.filter(session_key__startswith="bench").delete()
    sessions, cookies = [], []
    expire = timezone_now() + timedelta(hours=2)
    store = SessionStore()
    for index, user in enumerate(users):
        key = f"bench{index:06d}{secrets.token_hex(12)}"
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        cookies.append((key, secrets.token_hex(16)))  # session key, CSRF secret (32 chars)
    Session.objects.bulk_create(sessions, batch_size=2000)
    # A signer has usually just opened the proposal page, so their session is in the cache
    # (cached_db sessions); put it there as that page view would have.
    if os.environ.get("BENCH_WARM_SESSIONS", "1") == "1":
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        from democracy.accounts.backends import user_cache_set

        session_cache = caches[settings.SESSION_CACHE_ALIAS]
        for session, (key, _csrf) in zip(sessions, cookies, strict=True):
            session_cache.set(KEY_PREFIX + key, store.decode(session.session_data), 7200)
        # The same page view put the signed-in account in the cache.
        for user in users:
            user_cache_set(user)

    moderator = User.objects.filter(email="bench-moderator@bench.example").first()
    if moderator is None:
        moderator = account_create(
            email="bench-moderator@bench.example", password=None, roles=[Role.MODERATOR]
        )
    body, _ = Organization.objects.get_or_create(
        slug="bench-namnd",
        defaults={"name": "Bänknämnden", "short_name": "BN", "classification": "committee"},
    )
    topic, _ = Topic.objects.get_or_create(slug="bench", defaults={"name": "Bänk"})
    districts = [
        District.objects.get_or_create(slug=f"bench-{i}", defaults={"name": f"Bänkdel {i}"})[0].pk
        for i in range(8)
    ]
    author = users[0]

    def published(title):
        proposal = services.proposal_create(
            author=author,
            title=title,
            summary="Ett förslag för mätningen.",
            body="<p>"
            + "Detta förslag finns bara för att mäta hur snabbt underskrifter tas emot. " * 2
            + "</p>",
            topic=topic,
        )
        services.proposal_submit(proposal=proposal, actor=author)
        return services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=body
        )

    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    hot = published(f"Bänk: ett förslag {stamp}")
    spread = [published(f"Bänk: spritt {i} {stamp}") for i in range(SPREAD)]
    warm = published(f"Bänk: uppvärmning {stamp}")
    connection.close()
    # Signers as they come: every other one names a district, every fourth shows a name.
    cookies = [
        (key, csrf, districts[i % len(districts)] if i % 2 else None, i % 4 == 0)
        for i, (key, csrf) in enumerate(cookies)
    ]
    return cookies, hot.pk, [p.pk for p in spread], warm.pk


# --- Processes ------------------------------------------------------------------------------


def start(cmd, env, name):
    # A session of its own, so that stopping it stops its children too (the django-q2 cluster
    # runs its workers in child processes, which would otherwise outlive the benchmark).
    process = subprocess.Popen(  # noqa: S603 -- our own commands
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    print(f"  started {name} (pid {process.pid})")
    return process


def wait_http(port: int, path: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)  # noqa: S310 -- loopback
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"Server on port {port} did not answer {path}")


def wait_for_counting_loop(env, timeout: float = 60) -> None:
    """The scheduler starts the counting loop within about 15 s of the worker's start."""
    import psycopg

    deadline = time.time() + timeout
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        while time.time() < deadline:
            held = conn.execute(
                "SELECT 1 FROM proposals_countinglease WHERE expires_at > now()"
            ).fetchone()
            if held:
                print("  the counting loop is running")
                return
            time.sleep(0.5)
    raise RuntimeError("The django-q2 worker did not start the counting loop.")


def stop(process) -> None:
    """Stop the process and everything it started (its process group)."""
    from democracy.core.processes import stop_process_group

    stop_process_group(process)


# --- Load -----------------------------------------------------------------------------------


def sign_request(port, proposal_id, cookie) -> bytes:
    session_key, csrf, district, named = cookie
    fields = [f"csrfmiddlewaretoken={csrf}"]
    fields.append("visibility=name&public_name=Bench+Signer" if named else "visibility=anonymous")
    if district:
        fields.append(f"district={district}")
    body = "&".join(fields).encode()
    head = (
        f"POST /proposals/{proposal_id}/sign/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={session_key}; csrftoken={csrf}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bare_request(port, proposal_id, index) -> bytes:
    body = f"proposal={proposal_id}&user={index}".encode()
    head = (
        f"POST /bench/insert/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _run_load(port, requests: list[bytes]):
    index = 0
    statuses, latencies = [], []
    deadline = time.perf_counter() + MAX_SECONDS

    async def connection_loop():
        nonlocal index
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while index < len(requests) and time.perf_counter() < deadline:
                request = requests[index]
                index += 1
                started = time.perf_counter()
                writer.write(request)
                await writer.drain()
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    statuses.append(0)
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                statuses.append(status)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection_loop() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    return statuses, latencies, elapsed


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) used so far by each kind of process on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(entry.name) == os.getpid():
            kind = "load client"
        elif f":{PORT_APP}" in cmdline:
            kind = "Delta (gunicorn)"
        elif f":{PORT_BARE}" in cmdline:
            kind = "bare view (gunicorn)"
        elif "qcluster" in cmdline:
            kind = "django-q2 worker"
        elif cmdline.startswith("postgres"):
            kind = "PostgreSQL"
        elif "redis-server" in cmdline:
            kind = "Redis"
        else:
            kind = "other"
        # utime and stime are the 12th and 13th fields after the command name.
        totals[kind] = totals.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return totals


def run_phase(name, port, requests, expect_status):
    cpu_before = cpu_seconds()
    statuses, latencies, elapsed = asyncio.run(_run_load(port, requests))
    cpu_after = cpu_seconds()
    ok = sum(1 for s in statuses if s == expect_status)
    latencies.sort()
    result = {
        "phase": name,
        "requests": len(statuses),
        "ok": ok,
        "errors": len(statuses) - ok,
        "seconds": round(elapsed, 2),
        "per_second": round(ok / elapsed, 1) if elapsed else 0,
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
        # Where the machine's CPU went, in milliseconds per request of the phase.
        "cpu_ms_per_request": {
            kind: round(1000 * (cpu_after[kind] - cpu_before.get(kind, 0.0)) / max(1, ok), 2)
            for kind in sorted(cpu_after)
            if cpu_after[kind] - cpu_before.get(kind, 0.0) > 0
        },
    }
    print(
        f"  {name:28} {result['per_second']:>8} /s  ok {ok}/{len(statuses)}  p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms"
    )
    cpu = result["cpu_ms_per_request"]
    print(
        "      CPU ms per request: "
        + ", ".join(f"{kind} {ms}" for kind, ms in cpu.items())
        + f"; all {sum(cpu.values()):.2f}"
    )
    return result


class FreshnessMonitor(threading.Thread):
    """Polls the committed count (SQL) and the displayed count (count.json) every 100 ms."""

    def __init__(self, database_url, port, proposal_id):
        super().__init__(daemon=True)
        self.database_url, self.port, self.proposal_id = database_url, port, proposal_id
        self.samples = []  # (time, committed, displayed)
        self.stop_event = threading.Event()

    def run(self):
        import http.client

        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            while not self.stop_event.is_set():
                now = time.perf_counter()
                committed = conn.execute(
                    "SELECT count(*) FROM proposals_signature WHERE proposal_id = %s AND status = 'valid'",
                    [self.proposal_id],
                ).fetchone()[0]
                http.request("GET", f"/proposals/{self.proposal_id}/count.json")
                response = http.getresponse()
                displayed = json.loads(response.read())["count"]
                self.samples.append((now, committed, displayed))
                self.stop_event.wait(0.1)

    def lags(self, windows) -> list[float]:
        """For each poll while the proposal is signed: how long the oldest signature not yet
        displayed had been committed."""
        lags = []
        for t, _committed, displayed in self.samples:
            if not any(begin <= t <= end for begin, end in windows):
                continue
            first_missing = next(
                (ts for ts, c, _d in self.samples if c > displayed and ts <= t), None
            )
            lags.append(0.0 if first_missing is None else t - first_missing)
        return lags


def main():
    env = configure_environment()
    ensure_database(env["DATABASE_URL"])
    print(
        f"Delta signing benchmark: {ROUNDS} rounds of {2 * REQUESTS} bare inserts, {REQUESTS} "
        f"signatures spread and {REQUESTS} on one proposal, {CONNECTIONS} connections, "
        f"gunicorn {WORKERS}×{THREADS} threads, "
        f"at most {MAX_SECONDS:.0f} s per phase."
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )  # noqa: S603

    processes = []
    try:
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "gthread",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--backlog",
            "2048",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        processes.append(
            start(
                [*gunicorn, "--bind", f"127.0.0.1:{PORT_APP}", "democracy.wsgi:application"],
                env,
                "gunicorn (Delta)",
            )
        )
        bare_env = dict(env, DJANGO_SETTINGS_MODULE="bench.settings_bare")
        processes.append(
            start(
                [*gunicorn, "--bind", f"127.0.0.1:{PORT_BARE}", "democracy.wsgi:application"],
                bare_env,
                "gunicorn (bare insert view)",
            )
        )
        processes.append(start([sys.executable, "manage.py", "qcluster"], env, "django-q2 worker"))
        # The data is made while the servers start and the scheduler starts the counting loop.
        cookies, hot, spread, warm = prepare(users_needed=2 * ROUNDS * REQUESTS + WARM_UP)
        wait_http(PORT_APP, "/proposals/rules/")
        wait_http(PORT_BARE, "/bench/insert/")
        wait_for_counting_loop(env)

        print("Warming up …")
        run_phase(
            "warm-up (bare)",
            PORT_BARE,
            [bare_request(PORT_BARE, 0, i) for i in range(WARM_UP)],
            204,
        )
        run_phase(
            "warm-up (sign)",
            PORT_APP,
            [sign_request(PORT_APP, warm, cookies[-1 - i]) for i in range(WARM_UP)],
            302,
        )

        print("Measuring …")
        monitor = FreshnessMonitor(env["DATABASE_URL"], PORT_APP, hot)
        monitor.start()
        runs = {"bare": [], "spread": [], "hot": []}
        windows = []  # when the one proposal was being signed (for the lag)
        next_user = 0
        for round_number in range(ROUNDS):
            # Each round measures the baseline and both signing phases, in an order that turns
            # from round to round, so that no phase always runs first or after the same one.
            order = ["bare", "spread", "hot"]
            order = order[round_number % 3 :] + order[: round_number % 3]
            if round_number % 2:
                order.reverse()
            for phase in order:
                if phase == "bare":
                    requests = [bare_request(PORT_BARE, 1, i) for i in range(2 * REQUESTS)]
                    label = f"bare INSERT view ({round_number + 1})"
                    runs["bare"].append(run_phase(label, PORT_BARE, requests, 204))
                    continue
                users = cookies[next_user : next_user + REQUESTS]
                next_user += REQUESTS
                if phase == "spread":
                    requests = [
                        sign_request(PORT_APP, spread[i % SPREAD], c) for i, c in enumerate(users)
                    ]
                    label = f"sign, spread over {SPREAD} ({round_number + 1})"
                else:
                    requests = [sign_request(PORT_APP, hot, c) for c in users]
                    label = f"sign, one proposal ({round_number + 1})"
                began = time.perf_counter()
                runs[phase].append(run_phase(label, PORT_APP, requests, 302))
                if phase == "hot":
                    windows.append((began, time.perf_counter() + 2.0))
        time.sleep(3)  # let the displayed count catch up, so the tail is measured too
        monitor.stop_event.set()
        monitor.join()
    finally:
        for process in processes:
            stop(process)

    def median_rate(phase):
        return round(statistics.median(r["per_second"] for r in runs[phase]), 1)

    results = {
        phase: {"per_second_median": median_rate(phase), "rounds": runs[phase]}
        for phase in ("bare", "spread", "hot")
    }
    lags = sorted(monitor.lags(windows))
    p95_lag = lags[int(len(lags) * 0.95)] if lags else None
    final = monitor.samples[-1] if monitor.samples else (0, 0, 0)
    hot_span = sum(end - begin for begin, end in windows) or 1
    hot_updates = len({d for t, _c, d in monitor.samples if any(b <= t <= e for b, e in windows)})
    results["freshness"] = {
        "polls": len(lags),
        "p50_lag_s": round(statistics.median(lags), 2) if lags else None,
        "p95_lag_s": round(p95_lag, 2) if p95_lag is not None else None,
        "max_lag_s": round(max(lags), 2) if lags else None,
        "final_committed": final[1],
        "final_displayed": final[2],
        "count_updates_per_second": round(hot_updates / hot_span, 2),
    }
    bare, spread_r, hot_r = (
        results["bare"]["per_second_median"],
        results["spread"]["per_second_median"],
        results["hot"]["per_second_median"],
    )
    results["ratios"] = {
        "sign_vs_bare": round(hot_r / bare, 3) if bare else None,
        "spread_vs_bare": round(spread_r / bare, 3) if bare else None,
        "hot_vs_spread": round(hot_r / spread_r, 3) if spread_r else None,
    }
    print()
    print(json.dumps(results, indent=2))
    print()
    print(
        "Targets: ≥ 1000 signatures/s; ≥ 40 % of the bare view; one proposal ≥ 90 % of spread; p95 lag ≤ 2 s"
    )
    print(
        f"  signatures/s (one proposal, median): {hot_r}   {'met' if hot_r >= 1000 else 'NOT met'}"
    )
    print(
        f"  vs bare view: {results['ratios']['sign_vs_bare']:.0%}   {'met' if results['ratios']['sign_vs_bare'] >= 0.4 else 'NOT met'}"
    )
    print(
        f"  one vs spread: {results['ratios']['hot_vs_spread']:.0%}   {'met' if results['ratios']['hot_vs_spread'] >= 0.9 else 'NOT met'}"
    )
    lag = results["freshness"]["p95_lag_s"]
    print(f"  p95 count lag: {lag} s   {'met' if lag is not None and lag <= 2 else 'NOT met'}")
    out = ROOT / "var" / "bench-sign.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Results written to {out}")


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
