"""Signing benchmark for e-proposals, on PostgreSQL, in one bounded run (`make bench-sign`).

It serves Delta as deployed: ``make run-production`` (gunicorn gthread, daphne for /ws/, the
django-q2 cluster; the command the README documents, with the same environment) with nginx in
front over TLS (deploy/nginx/delta.conf, on our own ports, deploy/stack.py), and measures in
the same run on the same machine:

1. baseline: a bare Django view without middleware that inserts one row (raw cursor), on a
   gunicorn started with serve_production's own command line;
2. signing spread over 32 proposals through the full stack: session, CSRF, rate limits and
   burst counters, the submitted values checked, INSERT … ON CONFLICT, commit (half the
   signers name a district and a quarter show their name, as on the proposal page);
3. signing one proposal through the same stack (the hot-row check), directly on gunicorn's
   port and through nginx; 1, 2 and 3 run in each
   of ``BENCH_ROUNDS`` rounds, in an order that turns from round to round, and the medians
   are compared, because one phase on a shared machine is noisy;
4. while 3 runs: how far the displayed count (``count.json``) lags the committed signatures;
5. the same signing with 256 connections, directly and through nginx (no errors expected);
6. overload: signatures offered through nginx at ``BENCH_OVERLOAD_FACTOR`` (2) times the
   saturation rate measured in 3, open loop, for ``BENCH_OVERLOAD_SECONDS`` (8), while a
   separate reader process reads the proposal page and count.json; the answers (only 302,
   429 or 503 with Retry-After expected), the longest wait, the PostgreSQL connections, and
   the readers' rate against the same readers before the overload.

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
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy.stack import (  # noqa: E402
    find_nginx,
    make_certificate,
    nginx_conf,
    proc_table,
    production_env,
    start_nginx,
    stop_run_production,
)

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
WIDE = int(os.environ.get("BENCH_WIDE_CONNECTIONS", "256"))
OVERLOAD_FACTOR = float(os.environ.get("BENCH_OVERLOAD_FACTOR", "2"))
OVERLOAD_SECONDS = float(os.environ.get("BENCH_OVERLOAD_SECONDS", "8"))
READ_SECONDS = 4.0
# Ports (8300-8399 on the shared development machine): nginx (TLS), gunicorn, daphne, bare view.
PORT_TLS = int(os.environ.get("BENCH_TLS_PORT", "8343"))
PORT_APP = int(os.environ.get("BENCH_HTTP_PORT", "8341"))
PORT_ASGI = int(os.environ.get("BENCH_ASGI_PORT", "8342"))
PORT_BARE = int(os.environ.get("BENCH_BARE_PORT", "8344"))
HOST = f"127.0.0.1:{PORT_TLS}"


def configure_environment() -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set BENCH_DATABASE_URL to a PostgreSQL database for the benchmark.")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("Set REDIS_URL (make run-production needs it).")
    # What `make run-production` gets in production (docs/deployment.md), on our own ports,
    # with the signing limits lifted for load from one address.
    server_env = production_env(
        tls_port=PORT_TLS,
        http_port=PORT_APP,
        asgi_port=PORT_ASGI,
        DATABASE_URL=database_url,
        HTTP_WORKERS=str(WORKERS),
        HTTP_THREADS=str(THREADS),
        PROPOSALS_SIGN_RATE_USER="1000/m",
        PYTHONPATH=str(ROOT),
    )
    # This process makes the data (as a management command would): settings as in production.
    os.environ.update(server_env, DEBUG="0", ALLOWED_HOSTS="127.0.0.1")
    return server_env


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


def start(cmd, env, name, log=None):
    # A session of its own, so that stopping it stops its children too (the django-q2 cluster
    # runs its workers in child processes, which would otherwise outlive the benchmark).
    process = subprocess.Popen(  # noqa: S603 -- our own commands
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    print(f"  started {name} (pid {process.pid})")
    return process


def wait_http(port: int, path: str, timeout: float = 120, tls: bool = False, watch=()) -> None:
    import http.client

    deadline = time.time() + timeout
    while time.time() < deadline:
        for process in watch:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited ({process.returncode})")
        try:
            if tls:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=TLS, timeout=2)
            else:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path, headers=PROXY_HEADERS)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
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

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the certificate is made by this run, self-signed
# What nginx adds to every request it passes on; sent as they are when gunicorn is measured
# directly, so that the app sees the same request either way.
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"}
TARGETS = {"direct": (PORT_APP, None), "nginx": (PORT_TLS, TLS), "bare": (PORT_BARE, None)}


def sign_request(proposal_id, cookie) -> bytes:
    session_key, csrf, district, named = cookie
    fields = [f"csrfmiddlewaretoken={csrf}"]
    fields.append("visibility=name&public_name=Bench+Signer" if named else "visibility=anonymous")
    if district:
        fields.append(f"district={district}")
    body = "&".join(fields).encode()
    head = (
        f"POST /proposals/{proposal_id}/sign/ HTTP/1.1\r\nHost: {HOST}\r\n"
        "X-Forwarded-Proto: https\r\nX-Real-IP: 127.0.0.1\r\n"
        f"Origin: https://{HOST}\r\nReferer: https://{HOST}/proposals/{proposal_id}/\r\n"
        f"Cookie: sessionid={session_key}; csrftoken={csrf}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bare_request(proposal_id, index) -> bytes:
    body = f"proposal={proposal_id}&user={index}".encode()
    head = (
        f"POST /bench/insert/ HTTP/1.1\r\nHost: 127.0.0.1:{PORT_BARE}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def get_request(path) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Real-IP: 127.0.0.1\r\n\r\n".encode()


async def _read_response(reader, headers=None) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif headers is not None and name:
            headers[name.decode()] = value.strip().decode()
    if length:
        await reader.readexactly(length)
    return status


async def _open(target):
    port, context = TARGETS[target]
    return await asyncio.open_connection("127.0.0.1", port, ssl=context)


async def _run_load(target, requests: list[bytes], connections: int):
    index = 0
    statuses, latencies = [], []
    deadline = time.perf_counter() + MAX_SECONDS

    async def connection_loop():
        nonlocal index
        reader, writer = await _open(target)
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
                    reader, writer = await _open(target)
                    continue
                statuses.append(status)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return statuses, latencies, elapsed


# --- Overload -------------------------------------------------------------------------------


async def _offer(target, requests: list[bytes], rate: float, seconds: float, ready: int):
    """Open loop: request i is sent at i / rate seconds, whatever the answers before it, on an
    idle keep-alive connection or a new one. ``ready`` connections are opened (TLS handshakes
    done) before the clock starts, so that the client's handshakes do not pace the offered
    load. Returns (status, seconds, Retry-After) for each request."""
    idle: list = []
    for _ in range(ready):
        idle.append(await _open(target))
    results = []
    started = time.perf_counter()

    client_errors: dict[str, int] = {}

    async def one(request):
        for attempt in (1, 2):
            reused = bool(idle)
            try:
                reader, writer = idle.pop() if idle else await _open(target)
            except OSError as error:
                client_errors[type(error).__name__] = client_errors.get(type(error).__name__, 0) + 1
                results.append((0, 0.0, None))
                return
            sent = time.perf_counter()
            headers = {}
            try:
                writer.write(request)
                await writer.drain()
                status = await asyncio.wait_for(_read_response(reader, headers), 30)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError,
                    ValueError, IndexError) as error:
                writer.close()
                nothing = isinstance(error, ConnectionError) or (
                    isinstance(error, asyncio.IncompleteReadError) and not error.partial
                )
                if reused and nothing and attempt == 1:
                    # A kept-alive connection the server had closed, before any answer: send
                    # the request again on a new one, as browsers do.
                    client_errors["resent"] = client_errors.get("resent", 0) + 1
                    continue
                client_errors[type(error).__name__] = client_errors.get(type(error).__name__, 0) + 1
                results.append((0, time.perf_counter() - sent, None))
                return
            results.append((status, time.perf_counter() - sent, headers.get("retry-after")))
            if headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                idle.append((reader, writer))
            return

    tasks = []
    for i, request in enumerate(requests):
        due = started + i / rate
        if due - started > seconds:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(request)))
    await asyncio.gather(*tasks)
    for _reader, writer in idle:
        writer.close()
    return results, time.perf_counter() - started, client_errors


def _offer_process(requests, rate, seconds, ready, queue):
    queue.put(asyncio.run(_offer("nginx", requests, rate, seconds, ready)))


def _read_loop(target, paths, seconds, queue, delay=0.0):
    """A separate process (the offered load's client must not slow the readers down): two
    keep-alive connections per path, each reading its path in a loop for ``seconds``."""

    async def reader_loop(path, counts):
        reader, writer = await _open(target)
        request = get_request(path)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            writer.write(request)
            await writer.drain()
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                # nginx closes a keep-alive connection after 1,000 requests: open another.
                counts["reconnects"] += 1
                reader, writer = await _open(target)
                continue
            counts["ok" if status == 200 else f"HTTP {status}"] = (
                counts.get("ok" if status == 200 else f"HTTP {status}", 0) + 1
            )
        writer.close()

    async def run():
        counts = {p: {"ok": 0, "reconnects": 0} for p in paths}
        await asyncio.sleep(delay)
        await asyncio.gather(*(reader_loop(p, counts[p]) for p in paths for _ in range(2)))
        return counts

    queue.put(asyncio.run(run()))


def start_readers(paths, seconds, delay=0.0):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_read_loop, args=("nginx", paths, seconds, queue, delay))
    process.start()
    return process, queue


def read_rates(process, queue, seconds):
    counts = queue.get(timeout=seconds + 60)
    process.join(timeout=10)
    return {p: {"per_second": round(c["ok"] / seconds, 1), **c} for p, c in counts.items()}


class ConnectionMonitor(threading.Thread):
    """The most connections PostgreSQL had open to the bench database, every 200 ms."""

    def __init__(self, database_url):
        super().__init__(daemon=True)
        self.database_url = database_url
        self.most = 0
        self.stop_event = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.stop_event.is_set():
                (n,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchone()
                self.most = max(self.most, n)
                self.stop_event.wait(0.2)


def overload_phase(saturation: float, proposals: list[int], cookies, env) -> dict:
    rate = OVERLOAD_FACTOR * saturation
    paths = [f"/proposals/{proposals[0]}/", f"/proposals/{proposals[0]}/count.json"]
    print(f"Overload: {rate:.0f} signatures/s offered through nginx ({OVERLOAD_FACTOR:g} × the "
          f"saturation rate {saturation:.0f}/s) for {OVERLOAD_SECONDS:.0f} s …")
    readers, queue = start_readers(paths, READ_SECONDS)
    unloaded = read_rates(readers, queue, READ_SECONDS)
    print(f"  readers before: {unloaded}")
    # Every request a new signature: each fresh user signs one proposal after the other.
    needed = int(rate * OVERLOAD_SECONDS) + 1
    others = proposals[1:]
    requests = [
        sign_request(others[(i // len(cookies)) % len(others)], cookies[i % len(cookies)])
        for i in range(needed)
    ]
    monitor = ConnectionMonitor(env["DATABASE_URL"])
    monitor.start()
    cpu_before = cpu_seconds()
    # The readers start 2 s into the overload, once its queue has built up.
    loaded_reader, queue = start_readers(paths, READ_SECONDS, delay=2.0)
    # As many connections as the answers in flight at the in-flight limit (512) and beyond.
    # Two client processes (one would be the bottleneck here), each offering half the rate,
    # with as many connections ready as the answers in flight at the limit (512) and beyond.
    import multiprocessing

    context = multiprocessing.get_context("fork")
    out = context.Queue()
    clients = [
        context.Process(
            target=_offer_process,
            args=(requests[k::2], rate / 2, OVERLOAD_SECONDS, 400, out),
        )
        for k in range(2)
    ]
    for client in clients:
        client.start()
    parts = [out.get(timeout=OVERLOAD_SECONDS + 120) for _ in clients]
    for client in clients:
        client.join(timeout=10)
    results = [r for part in parts for r in part[0]]
    elapsed = max(part[1] for part in parts)
    client_errors: dict[str, int] = {}
    for part in parts:
        for name, n in part[2].items():
            client_errors[name] = client_errors.get(name, 0) + n
    loaded = read_rates(loaded_reader, queue, READ_SECONDS)
    cpu_after = cpu_seconds()
    monitor.stop_event.set()
    monitor.join()
    statuses: dict[int, int] = {}
    for status, _seconds, _retry in results:
        statuses[status] = statuses.get(status, 0) + 1
    busy = [r for r in results if r[0] in (429, 503)]
    served = sorted(r[1] for r in results if r[0] == 302)
    result = {
        "offered_per_second": round(rate, 1),
        "saturation_per_second": round(saturation, 1),
        "seconds": round(elapsed, 2),
        "offered": len(results),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "signed_per_second": round(len(served) / elapsed, 1) if elapsed else 0,
        "busy_without_retry_after": sum(1 for r in busy if not r[2]),
        "longest_wait_s": round(max((r[1] for r in results), default=0), 2),
        "signed_p50_s": round(served[len(served) // 2], 2) if served else None,
        "signed_p99_s": round(served[int(len(served) * 0.99)], 2) if served else None,
        "most_postgresql_connections": monitor.most,
        "client_errors": client_errors,
        "readers_unloaded": unloaded,
        "readers_overloaded": loaded,
        "read_ratio": {
            p: round(loaded[p]["per_second"] / unloaded[p]["per_second"], 2)
            if unloaded[p]["per_second"]
            else None
            for p in paths
        },
        "cpu_s": {
            kind: round(cpu_after[kind] - cpu_before.get(kind, 0.0), 1)
            for kind in sorted(cpu_after)
            if cpu_after[kind] - cpu_before.get(kind, 0.0) > 0.05
        },
    }
    bad = {k: v for k, v in statuses.items() if k not in (302, 429, 503)}
    result["unexpected"] = {str(k): v for k, v in bad.items()}
    print(f"  answers {result['statuses']}; signed {result['signed_per_second']}/s; longest wait "
          f"{result['longest_wait_s']} s; busy without Retry-After "
          f"{result['busy_without_retry_after']}; PostgreSQL connections at most {monitor.most}; "
          f"client side: {client_errors}")
    print(f"  readers during the overload: {loaded}; ratio {result['read_ratio']}")
    return result


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) used so far by each kind of process on the machine."""
    totals: dict[str, float] = {}
    for pid, (_ppid, cmdline, cpu) in proc_table().items():
        if pid == os.getpid() or "bench/sign_bench.py" in cmdline:
            kind = "load client"  # this process and its client processes
        elif f":{PORT_APP}" in cmdline:
            kind = "Delta (gunicorn)"
        elif f":{PORT_BARE}" in cmdline:
            kind = "bare view (gunicorn)"
        elif cmdline.startswith("nginx"):
            kind = "nginx"
        elif "qcluster" in cmdline:
            kind = "django-q2 worker"
        elif cmdline.startswith("postgres"):
            kind = "PostgreSQL"
        elif "redis-server" in cmdline:
            kind = "Redis"
        else:
            kind = "other"
        totals[kind] = totals.get(kind, 0.0) + cpu
    return totals


def run_phase(name, target, requests, expect_status, connections=CONNECTIONS):
    cpu_before = cpu_seconds()
    statuses, latencies, elapsed = asyncio.run(_run_load(target, requests, connections))
    cpu_after = cpu_seconds()
    ok = sum(1 for s in statuses if s == expect_status)
    latencies.sort()
    result = {
        "phase": name,
        "connections": connections,
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
                http.request(
                    "GET",
                    f"/proposals/{self.proposal_id}/count.json",
                    headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"},
                )
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
    nginx = find_nginx()
    if not nginx or not shutil.which("openssl"):
        sys.exit("The benchmark needs nginx and openssl (Debian: apt-get install nginx openssl).")
    print(
        f"Delta signing benchmark: {ROUNDS} rounds of {2 * REQUESTS} bare inserts, {REQUESTS} "
        f"signatures spread, {REQUESTS} on one proposal directly and {REQUESTS} through nginx, "
        f"{CONNECTIONS} connections; then {WIDE} connections; then the overload; "
        f"make run-production with gunicorn {WORKERS}×{THREADS} threads, "
        f"at most {MAX_SECONDS:.0f} s per phase. Load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores."
    )
    tmp = Path(tempfile.mkdtemp(prefix="delta-bench-"))
    tmp.chmod(0o755)  # nginx's workers run as another user when it is started as root
    static_root, media_root = tmp / "static", tmp / "media"
    env.update(STATIC_ROOT=str(static_root), MEDIA_ROOT=str(media_root))
    make_certificate(tmp)
    overload_users = 4000  # each signs up to 32 proposals: enough for 16,000 requests/s × 8 s
    users_needed = 3 * ROUNDS * REQUESTS + 2 * REQUESTS + overload_users + WARM_UP

    processes = []
    log = open(tmp / "run-production.log", "w")  # noqa: SIM115
    try:
        # The production topology, through the command the README documents.
        processes.append(
            start(["make", "--no-print-directory", "run-production"], env, "make run-production", log)
        )
        processes.append(start_nginx(nginx, nginx_conf(
            tmp, static_root, media_root, tls_port=PORT_TLS, http_port=PORT_APP,
            asgi_port=PORT_ASGI, worker_processes="auto",  # as in Debian's nginx.conf
        ), tmp))
        print(f"  started nginx (pid {processes[-1].pid}); logs in {tmp}")
        # The baseline: the bare view on a gunicorn with serve_production's command line and
        # the same database pool per thread.
        from democracy.core.management.commands.serve_production import gunicorn_command

        bare_env = dict(
            env, DEBUG="0", ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="bench.settings_bare",
            DATABASE_POOL_SIZE=str(THREADS),
        )
        processes.append(
            start(gunicorn_command(port=PORT_BARE, workers=WORKERS, threads=THREADS), bare_env,
                  "gunicorn (bare insert view)")
        )
        # The data is made while the servers start and the scheduler starts the counting loop
        # (migrate runs first in make run-production: wait for the app before making data).
        wait_http(PORT_APP, "/healthz", watch=processes[:1])
        cookies, hot, spread, warm = prepare(users_needed=users_needed)
        wait_http(PORT_TLS, "/healthz", tls=True)
        wait_http(PORT_BARE, "/bench/insert/")
        wait_for_counting_loop(env)

        print("Warming up …")
        run_phase("warm-up (bare)", "bare", [bare_request(0, i) for i in range(WARM_UP)], 204)
        for target in ("direct", "nginx"):
            run_phase(
                f"warm-up (sign, {target})",
                target,
                [sign_request(warm, c) for c in cookies[-WARM_UP:]],
                302,
            )

        print("Measuring …")
        monitor = FreshnessMonitor(env["DATABASE_URL"], PORT_APP, hot)
        monitor.start()
        runs = {"bare": [], "spread": [], "hot": [], "nginx": []}
        windows = []  # when the one proposal was being signed (for the lag)
        next_user = 0
        for round_number in range(ROUNDS):
            # Each round measures the baseline and the signing phases, in an order that turns
            # from round to round, so that no phase always runs first or after the same one.
            order = ["bare", "spread", "hot", "nginx"]
            order = order[round_number % 4 :] + order[: round_number % 4]
            if round_number % 2:
                order.reverse()
            for phase in order:
                if phase == "bare":
                    requests = [bare_request(1, i) for i in range(2 * REQUESTS)]
                    label = f"bare INSERT view ({round_number + 1})"
                    runs["bare"].append(run_phase(label, "bare", requests, 204))
                    continue
                users = cookies[next_user : next_user + REQUESTS]
                next_user += REQUESTS
                target = "nginx" if phase == "nginx" else "direct"
                if phase == "spread":
                    requests = [sign_request(spread[i % SPREAD], c) for i, c in enumerate(users)]
                    label = f"sign, spread over {SPREAD} ({round_number + 1})"
                else:
                    requests = [sign_request(hot, c) for c in users]
                    label = f"sign, one, {target} ({round_number + 1})"
                began = time.perf_counter()
                runs[phase].append(run_phase(label, target, requests, 302))
                if phase in ("hot", "nginx"):
                    windows.append((began, time.perf_counter() + 2.0))
        time.sleep(3)  # let the displayed count catch up, so the tail is measured too
        monitor.stop_event.set()
        monitor.join()

        print(f"{WIDE} connections …")
        wide = {}
        for target in ("direct", "nginx"):
            users = cookies[next_user : next_user + REQUESTS]
            next_user += REQUESTS
            wide[target] = run_phase(
                f"sign, one, {target}, {WIDE} conn.",
                target,
                [sign_request(spread[i % SPREAD], c) for i, c in enumerate(users)],
                302,
                connections=WIDE,
            )
        saturation = statistics.median(r["per_second"] for r in runs["nginx"])
        overload = overload_phase(saturation, [hot, *spread], cookies[next_user:-WARM_UP], env)
    finally:
        for process in reversed(processes):
            if process is processes[0]:
                stop_run_production(process)
            elif process.args[0] == nginx:
                process.send_signal(signal.SIGQUIT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            else:
                stop(process)
        log.close()

    def median_rate(phase):
        return round(statistics.median(r["per_second"] for r in runs[phase]), 1)

    results = {
        phase: {"per_second_median": median_rate(phase), "rounds": runs[phase]}
        for phase in ("bare", "spread", "hot", "nginx")
    }
    results["wide"] = wide
    results["overload"] = overload
    results["machine"] = {"cores": os.cpu_count(), "load_average_end": os.getloadavg()[0]}
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
    bare, spread_r, hot_r, nginx_r = (
        results[p]["per_second_median"] for p in ("bare", "spread", "hot", "nginx")
    )
    results["ratios"] = {
        "sign_vs_bare": round(hot_r / bare, 3) if bare else None,
        "nginx_vs_bare": round(nginx_r / bare, 3) if bare else None,
        "nginx_vs_direct": round(nginx_r / hot_r, 3) if hot_r else None,
        "spread_vs_bare": round(spread_r / bare, 3) if bare else None,
        "hot_vs_spread": round(hot_r / spread_r, 3) if spread_r else None,
    }
    errors = {
        f"{CONNECTIONS} connections": sum(
            r["errors"] for p in ("spread", "hot", "nginx") for r in runs[p]
        ),
        f"{WIDE} connections": sum(r["errors"] for r in wide.values()),
    }
    results["errors"] = errors
    print()
    print(json.dumps(results, indent=2))
    print()
    ratios = results["ratios"]
    print("Targets: ≥ 40 % of the bare view; through nginx ≥ 90 % of direct; one proposal ≥ 90 % "
          "of spread; p95 lag ≤ 2 s; 0 errors; overload: only 302/429/503, Retry-After, ≤ 10 s, "
          "reads ≥ 50 %")
    print(f"  signatures/s, one proposal (median): direct {hot_r}, nginx {nginx_r}; bare {bare}")
    print(f"  vs bare view: direct {ratios['sign_vs_bare']:.0%}, nginx {ratios['nginx_vs_bare']:.0%}")
    print(f"  nginx vs direct: {ratios['nginx_vs_direct']:.0%}   "
          f"{'met' if ratios['nginx_vs_direct'] >= 0.9 else 'NOT met'}")
    print(f"  one vs spread: {ratios['hot_vs_spread']:.0%}   "
          f"{'met' if ratios['hot_vs_spread'] >= 0.9 else 'NOT met'}")
    lag = results["freshness"]["p95_lag_s"]
    print(f"  p95 count lag: {lag} s   {'met' if lag is not None and lag <= 2 else 'NOT met'}")
    print(f"  errors: {errors}   {'met' if not any(errors.values()) else 'NOT met'}")
    o = overload
    ok = (
        not o["unexpected"]
        and not o["busy_without_retry_after"]
        and o["longest_wait_s"] <= 10
        and all(v is not None and v >= 0.5 for v in o["read_ratio"].values())
    )
    print(f"  overload: {o['statuses']}, longest {o['longest_wait_s']} s, reads "
          f"{o['read_ratio']}   {'met' if ok else 'NOT met'}")
    out = ROOT / "var" / "bench-sign.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Results written to {out}")


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
