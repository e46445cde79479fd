"""Websocket fan-out and CPU cost per request on the production topology (`make bench-fanout`).

It starts `make run-production` (the command the README documents: gunicorn for HTTP, uvicorn
processes for /ws/, the django-q2 cluster, on PostgreSQL and Redis) and then, in one bounded run:

1. **fan-out**: opens ``BENCH_SOCKETS`` (5,000) websockets to ONE proposal's count route,
   ``/ws/proposals/<id>/``, from a load client in this process on 127.0.0.1: straight to
   the websocket port (``BENCH_FANOUT_VIA=direct``, the default) or through nginx with
   deploy/nginx/delta.conf over TLS (``BENCH_FANOUT_VIA=nginx``). Distinct accounts sign that
   proposal once every ``BENCH_SIGN_EVERY`` (0.1 s) for ``BENCH_SIGN_SECONDS`` (20 s), straight
   to gunicorn. For every count the sockets receive it reports two delays:

   - *fan-out*: receipt on each socket minus the count's ``updated_at`` (in the message: the
     time the counting loop computed it, a few milliseconds before its transaction committed, so this overstates
     the commit-to-receipt delay by that transaction);
   - *signature to screen*: for each signature, the first message on each socket whose count
     includes it, minus the moment the signing request was SENT (before its commit, so this
     overstates too). This includes the counting loop's interval (``PROPOSALS_COUNT_INTERVAL``,
     1 s): a signature waits up to one interval for the next pass.

   Receipt is timed in the client's ``data_received``, when the frame's bytes are read from
   the socket; the client shares the 2 cores with the servers, so its own backlog is part of
   the figure. It also counts the sockets still connected at the end and the CPU each process
   used (uvicorn, worker, Redis, the client).

2. **cost** (``BENCH_PHASES`` contains ``cost``): CPU-seconds per request of each server
   process kind, from /proc, over bounded loads straight to gunicorn: anonymous proposal page
   views, ``count.json`` and signatures by distinct signed-in accounts; plus uvicorn's CPU per
   websocket message from phase 1. docs/deployment.md sizes larger deployments from these.

Run it with::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 make bench-fanout

The database is created if missing and filled with bench accounts and proposals (never point
it at real data); the Redis index is the stack's cache, channel layer and task queue. Ports:
``BENCH_HTTP_PORT`` (8461, gunicorn), ``BENCH_ASGI_PORT`` (8462, uvicorn), ``BENCH_TLS_PORT``
(8463, nginx). Every phase stops at its own time limit whatever happens; load goes to 127.0.0.1
only. ``BENCH_JSON=path`` writes the results as JSON too.
"""

import asyncio
import base64
import json
import os
import resource
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from deploy.stack import (  # noqa: E402
    descendants,
    find_nginx,
    make_certificate,
    nginx_conf,
    ports_free,
    proc_table,
    production_env,
    websocket_connections,
)
from deploy.stack import start_nginx as stack_start_nginx  # noqa: E402

SOCKETS = int(os.environ.get("BENCH_SOCKETS", "5000"))
VIA = os.environ.get("BENCH_FANOUT_VIA", "direct")
SIGN_EVERY = float(os.environ.get("BENCH_SIGN_EVERY", "0.1"))
SIGN_SECONDS = float(os.environ.get("BENCH_SIGN_SECONDS", "20"))
PHASES = os.environ.get("BENCH_PHASES", "fanout,cost").split(",")
COST_REQUESTS = int(os.environ.get("BENCH_COST_REQUESTS", "1000"))
COST_CONNECTIONS = int(os.environ.get("BENCH_COST_CONNECTIONS", "8"))
COST_MAX_SECONDS = float(os.environ.get("BENCH_COST_MAX_SECONDS", "40"))
CONNECT_AT_ONCE = 40  # handshakes in flight (it was daphne's listen backlog, 50)
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8461"))
ASGI_PORT = int(os.environ.get("BENCH_ASGI_PORT", "8462"))
TLS_PORT = int(os.environ.get("BENCH_TLS_PORT", "8463"))
# The public address the stack is configured for (ALLOWED_HOSTS, CSRF origins).
HOST = f"127.0.0.1:{TLS_PORT}"


def configure_environment(tmp: Path) -> dict:
    from bench.sign_bench import ensure_database

    database_url = os.environ.get("BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        sys.exit("Set BENCH_DATABASE_URL (PostgreSQL) and REDIS_URL for the benchmark.")
    ensure_database(database_url)
    env = production_env(
        tls_port=TLS_PORT,
        http_port=HTTP_PORT,
        asgi_port=ASGI_PORT,
        tmp=tmp,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
    )
    # This process makes the data (its sessions must be signed with the stack's SECRET_KEY).
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PROPOSALS_SIGNATURE_THRESHOLD"):
        os.environ[name] = env[name]
    os.environ.update(DJANGO_SETTINGS_MODULE="democracy.settings", DEBUG="0")
    os.environ.update(LOG_LEVEL="WARNING", ALLOWED_HOSTS="127.0.0.1", DELTA_LOCAL_ENV="")
    return env


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < needed:
        print(f"  note: open-file limit {soft} < {needed}; some sockets will fail to open")


# --- The stack ------------------------------------------------------------------------------


def start_stack(env, tmp: Path):
    ports_free(HTTP_PORT, ASGI_PORT, *([TLS_PORT] if VIA == "nginx" else []))
    log = open(tmp / "run-production.log", "w")  # noqa: SIM115 -- closed in stop_stack
    app = subprocess.Popen(  # noqa: S603
        ["make", "--no-print-directory", "run-production"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    print(f"  make run-production (pid {app.pid}), log {tmp}/run-production.log")
    deadline = time.time() + 240
    while time.time() < deadline:
        if app.poll() is not None:
            raise SystemExit(f"make run-production exited ({app.returncode}); see its log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/healthz", timeout=3):  # noqa: S310 -- loopback
                return app, log
        except Exception:  # noqa: BLE001 -- not up yet
            time.sleep(1)
    raise SystemExit("the stack did not answer /healthz within 240 s")


def stop_stack(app, log) -> None:
    try:
        os.killpg(app.pid, signal.SIGTERM)  # make and serve_production's supervisor below it
    except ProcessLookupError:
        pass
    try:
        app.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(app.pid, signal.SIGKILL)
        app.wait()
    log.close()


def start_nginx(tmp: Path):
    """deploy/nginx/delta.conf with this run's ports and paths, and room for the sockets."""
    nginx = find_nginx()
    if not nginx or not shutil.which("openssl"):
        raise SystemExit("BENCH_FANOUT_VIA=nginx needs nginx and openssl")
    tmp.chmod(0o755)
    make_certificate(tmp)
    conf = nginx_conf(
        tmp,
        tmp / "static",
        tmp / "media",
        tls_port=TLS_PORT,
        http_port=HTTP_PORT,
        asgi_port=ASGI_PORT,
        worker_connections=2 * SOCKETS + 200,
    )
    proxy = stack_start_nginx(nginx, conf, tmp)
    time.sleep(1)
    if proxy.poll() is not None:
        raise SystemExit(f"nginx exited ({proxy.returncode}); see {tmp}/error.log")
    print(f"  nginx (pid {proxy.pid}) on 127.0.0.1:{TLS_PORT}")
    return proxy


# --- CPU per process kind -------------------------------------------------------------------


class CpuMeter:
    """CPU seconds of the stack's processes by kind: gunicorn, uvicorn, the django-q2 worker
    (descendants of `make run-production`), the PostgreSQL backends connected to the bench
    database, nginx (when used), Redis (the whole server: shared with other users of this
    machine) and this load client."""

    def __init__(self, app_pid, database_url, nginx_pid=None):
        import psycopg

        self.app_pid, self.nginx_pid = app_pid, nginx_pid
        self.database = database_url.rsplit("/", 1)[1].split("?")[0]
        self.conn = psycopg.connect(database_url, autocommit=True)

    def _backends(self) -> set[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.database],
        ).fetchall()
        return {row[0] for row in rows}

    def sample(self) -> dict[int, tuple[str, float]]:
        table = proc_table()
        backends = self._backends()
        stack = descendants(self.app_pid, table)
        proxy = descendants(self.nginx_pid, table) if self.nginx_pid else set()
        kinds = {}
        for pid, (_ppid, cmd, cpu) in table.items():
            if pid == os.getpid():
                kind = "load client"
            elif pid in stack and "gunicorn" in cmd:
                kind = "gunicorn"
            elif pid in stack and "uvicorn" in cmd:
                kind = "uvicorn"
            elif pid in stack and "qcluster" in cmd:
                kind = "worker"
            elif pid in backends:
                kind = "postgres"
            elif pid in proxy:
                kind = "nginx"
            elif cmd.startswith("redis-server") or "/redis-server" in cmd.split(" ")[0]:
                kind = "redis (shared)"
            else:
                continue
            kinds[pid] = (kind, cpu)
        return kinds

    @staticmethod
    def delta(before, after) -> dict[str, float]:
        """CPU seconds per kind between two samples (a process new in ``after`` counts from 0;
        one that ended in between is lost: the stack's processes and pools are long-lived)."""
        totals: dict[str, float] = {}
        for pid, (kind, cpu) in after.items():
            start = before.get(pid, (kind, 0.0))[1]
            totals[kind] = totals.get(kind, 0.0) + max(0.0, cpu - start)
        return totals

    @staticmethod
    def per_process(before, after, kind) -> list[float]:
        """CPU seconds of each process of one kind between two samples (e.g. each uvicorn)."""
        return sorted(
            round(max(0.0, cpu - before.get(pid, (k, 0.0))[1]), 2)
            for pid, (k, cpu) in after.items()
            if k == kind
        )

    def close(self):
        self.conn.close()


# --- Websocket load client ------------------------------------------------------------------


class CountSocket(asyncio.Protocol):
    """A minimal websocket client: the upgrade, then the server's (unmasked) frames, timed as
    their bytes are read; answers pings (the server pings idle sockets) and close frames."""

    def __init__(self, path, host, opened: asyncio.Future):
        self.path, self.host, self.opened = path, host, opened
        self.buffer = b""
        self.upgraded = False
        self.closed = False
        self.close_code = None
        self.messages: list[tuple[float, bytes]] = []
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        scheme = "https" if VIA == "nginx" else "http"
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {scheme}://{self.host}\r\n\r\n".encode()
        )

    def data_received(self, data):
        now = time.time()
        self.buffer += data
        if not self.upgraded:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self._fail(head.split(b"\r\n", 1)[0].decode(errors="replace"))
                return
            self.upgraded, self.buffer = True, rest
            if not self.opened.done():
                self.opened.set_result(True)
        while len(self.buffer) >= 2:
            first, second = self.buffer[0], self.buffer[1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, offset = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, offset = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < offset + length:
                return
            payload = self.buffer[offset : offset + length]
            self.buffer = self.buffer[offset + length :]
            opcode = first & 0x0F
            if opcode == 0x1:
                self.messages.append((now, payload))
            elif opcode == 0x9:
                self._send(0xA, payload)
            elif opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if payload else None
                self._send(0x8, payload[:2])
                self.transport.close()

    def _send(self, opcode, payload: bytes):
        mask = secrets.token_bytes(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def _fail(self, reason):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(reason))
        self.transport.close()

    def connection_lost(self, exc):
        self.closed = True
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(str(exc or "closed")))

    def close(self):
        if self.transport and not self.closed:
            self._send(0x8, (1000).to_bytes(2, "big"))
            self.transport.close()


async def open_sockets(proposal_id: int, count: int) -> tuple[list[CountSocket], list[str]]:
    loop = asyncio.get_running_loop()
    port = TLS_PORT if VIA == "nginx" else ASGI_PORT
    host = HOST if VIA == "nginx" else f"127.0.0.1:{ASGI_PORT}"
    context = None
    if VIA == "nginx":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the certificate is made by this run
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    sockets, errors, retries = [], [], []

    async def one():
        # A refused or reset handshake is tried again, as the page's script reconnects.
        for attempt in range(3):
            async with gate:
                opened = loop.create_future()

                def factory(opened=opened):
                    return CountSocket(f"/ws/proposals/{proposal_id}/", host, opened)

                try:
                    _transport, protocol = await asyncio.wait_for(
                        loop.create_connection(
                            factory,
                            "127.0.0.1",
                            port,
                            ssl=context,
                        ),
                        30,
                    )
                    await asyncio.wait_for(opened, 30)
                except (TimeoutError, OSError, ConnectionError) as error:
                    if attempt == 2:
                        errors.append(f"{type(error).__name__}: {error}")
                        return
                    retries.append(error)
                    continue
            sockets.append(protocol)
            return

    await asyncio.gather(*(one() for _ in range(count)))
    if retries:
        print(f"  {len(retries)} handshakes tried again (first: {retries[0]!r})")
    return sockets, errors


def sign_bytes(proposal_id, cookie) -> bytes:
    session_key, csrf = cookie[0], cookie[1]
    body = f"csrfmiddlewaretoken={csrf}&visibility=anonymous".encode()
    return (
        f"POST /proposals/{proposal_id}/sign/ HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Cookie: sessionid={session_key}; csrftoken={csrf}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Origin: https://{HOST}\r\nReferer: https://{HOST}/proposals/{proposal_id}/\r\n"
        # What nginx sets in front of gunicorn (deploy/nginx/delta.conf).
        "X-Forwarded-Proto: https\r\nX-Real-IP: 127.0.0.1\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def get_bytes(path) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
        "X-Real-IP: 127.0.0.1\r\n\r\n"
    ).encode()


async def read_response(reader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
        elif name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            body += await reader.readexactly(size + 2)
            if size == 0:
                return status, body
    return status, (await reader.readexactly(length)) if length else b""


async def signer(proposal_id, cookies, deadline_s) -> list[tuple[float, float, int, bytes]]:
    """One signature every SIGN_EVERY on one keep-alive connection to gunicorn, each by
    another account: (sent, answered, status, Location) for each."""
    reader, writer = await asyncio.open_connection("127.0.0.1", HTTP_PORT)
    results = []
    start = time.monotonic()
    try:
        for index, cookie in enumerate(cookies):
            due = start + index * SIGN_EVERY
            if due - start > deadline_s:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            sent = time.time()
            writer.write(sign_bytes(proposal_id, cookie))
            status, _body = await asyncio.wait_for(read_response(reader), 10)
            results.append((sent, time.time(), status))
    finally:
        writer.close()
    return results


def pct(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values) -> dict:
    return {
        "n": len(values),
        "p50_s": _r(pct(values, 0.50)),
        "p95_s": _r(pct(values, 0.95)),
        "p99_s": _r(pct(values, 0.99)),
        "max_s": _r(max(values) if values else None),
    }


def _r(value):
    return None if value is None else round(value, 3)


class CommitWatch(threading.Thread):
    """Reads the committed count (``proposals_proposalcount``) every ``every`` seconds: the
    first read that shows a count is an upper bound of its commit time."""

    def __init__(self, database_url, proposal_id, every=0.05):
        super().__init__(daemon=True)
        self.database_url, self.proposal_id, self.every = database_url, proposal_id, every
        self.seen: dict[int, float] = {}  # count -> first read showing it
        self.stop_event = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.stop_event.is_set():
                row = conn.execute(
                    "SELECT total FROM proposals_proposalcount WHERE proposal_id = %s",
                    [self.proposal_id],
                ).fetchone()
                if row:
                    self.seen.setdefault(row[0], time.time())
                self.stop_event.wait(self.every)


async def settle(meter, quiet=0.05, limit=120.0) -> None:
    """Wait until the stack's processes use less than ``quiet`` CPU-seconds per second."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = meter.sample()
        await asyncio.sleep(1)
        busy = CpuMeter.delta(before, meter.sample())
        if sum(v for k, v in busy.items() if k in ("uvicorn", "gunicorn", "worker")) < quiet:
            return


async def fanout_phase(proposal_id, cookies, meter) -> dict:
    from bench.sign_bench import wait_for_counting_loop

    wait_for_counting_loop({"DATABASE_URL": os.environ["DATABASE_URL"]})
    started = time.time()
    sockets, errors = await open_sockets(proposal_id, SOCKETS)
    opened_s = time.time() - started
    print(f"  {len(sockets)} of {SOCKETS} sockets open in {opened_s:.1f} s ({len(errors)} failed)")
    if errors:
        print(f"    first failure: {errors[0]}")
    await asyncio.sleep(3)
    per_process = websocket_connections(meter.app_pid, ASGI_PORT)
    print(f"  connections held by each uvicorn process: {per_process}")
    idle_before = meter.sample()
    await asyncio.sleep(5)
    idle = CpuMeter.delta(idle_before, meter.sample())
    print(f"  idle CPU over 5 s with the sockets open: {_fmt(idle)}")

    before = meter.sample()
    watch = CommitWatch(os.environ["DATABASE_URL"], proposal_id)
    watch.start()
    t0 = time.time()
    signatures = await signer(proposal_id, cookies, SIGN_SECONDS)
    await asyncio.sleep(3 * max(1.0, float(os.environ.get("PROPOSALS_COUNT_INTERVAL", "1"))))
    window = time.time() - t0
    watch.stop_event.set()
    after = meter.sample()
    cpu = CpuMeter.delta(before, after)
    websocket_each = CpuMeter.per_process(before, after, "uvicorn")
    connected = sum(1 for s in sockets if not s.closed)
    close_codes = sorted({s.close_code for s in sockets if s.closed}, key=str)
    for s in sockets:
        s.close()
    await settle(meter)  # the servers' disconnects, outside the next phase's CPU figures

    signed = [s for s in signatures if s[2] == 302]
    # The count after each signature: the proposal had no signatures before this phase.
    fanout, to_screen, after_seen = [], [], []
    changes: dict[int, float] = {}  # count -> its updated_at
    first: dict[int, float] = {}  # count -> when the first socket received it
    last: dict[int, float] = {}  # count -> when the last socket received it
    received = 0
    for sock in sockets:
        firsts = []
        for at, payload in sock.messages:
            data = json.loads(payload)
            updated = datetime.fromisoformat(data["updated_at"]).timestamp()
            changes.setdefault(data["count"], updated)
            last[data["count"]] = max(at, last.get(data["count"], 0.0))
            first[data["count"]] = min(at, first.get(data["count"], at))
            fanout.append(at - updated)
            if data["count"] in watch.seen:
                after_seen.append(at - watch.seen[data["count"]])
            firsts.append((data["count"], at))
            received += 1
        # Signature i (0-based) is included in any count >= i + 1.
        position = 0
        for i, (sent, _answered, _status) in enumerate(signed):
            while position < len(firsts) and firsts[position][0] < i + 1:
                position += 1
            if position < len(firsts):
                to_screen.append(firsts[position][1] - sent)
    per_change_last = [last[count] - updated for count, updated in changes.items()]
    expected = len(changes) * len(sockets)
    request_s = [answered - sent for sent, answered, _ in signatures]
    result = {
        "via": VIA,
        "sockets_requested": SOCKETS,
        "sockets_opened": len(sockets),
        "open_failures": len(errors),
        "seconds_to_open": round(opened_s, 1),
        "sockets_connected_at_end": connected,
        "close_codes": [str(c) for c in close_codes],
        "signatures_sent": len(signatures),
        "signatures_302": len(signed),
        "sign_request_p50_s": _r(pct(request_s, 0.5)),
        "count_changes": len(changes),
        "final_count": max(changes) if changes else None,
        "messages_received": received,
        "messages_expected": expected,
        "fanout_delay": summary(fanout),
        "after_commit_seen": summary(after_seen),
        # Counts committed while the sockets listened that no socket received.
        "committed_not_received": sorted(c for c in watch.seen if c not in changes and c > 0),
        # Per count change, seconds from the first signature: computed (updated_at), seen
        # committed in the database, first and last socket reached.
        "changes": [
            [
                count,
                round(changes[count] - t0, 3),
                round(watch.seen[count] - t0, 3) if count in watch.seen else None,
                round(first[count] - t0, 3),
                round(last[count] - t0, 3),
            ]
            for count in sorted(changes)
        ],
        "time_until_last_socket_per_change": summary(per_change_last),
        "signature_to_screen": summary(to_screen),
        "cpu_seconds": {k: round(v, 2) for k, v in sorted(cpu.items())},
        "websocket_processes": len(websocket_each),
        "websocket_cpu_seconds_each": websocket_each,
        "sockets_per_websocket_process": per_process,
        "window_s": round(window, 1),
        "websocket_cpu_ms_per_message": round(1000 * cpu.get("uvicorn", 0) / max(1, received), 4),
        "idle_cpu_seconds_5s": {k: round(v, 2) for k, v in sorted(idle.items())},
    }
    print(
        f"  {len(signed)} signatures ({len(signatures)} sent) → {len(changes)} count changes, "
        f"{received} of {expected} messages; {connected} sockets still connected"
    )
    print("  count: computed / committed (seen) / first socket / last socket, s from the start")
    for count, *times in result["changes"]:
        print(f"    {count:5} " + "  ".join(f"{t:7.3f}" if t is not None else "      -" for t in times))
    for name in (
        "fanout_delay",
        "after_commit_seen",
        "time_until_last_socket_per_change",
        "signature_to_screen",
    ):
        s = result[name]
        print(
            f"  {name:36} p50 {s['p50_s']} s  p95 {s['p95_s']} s  p99 {s['p99_s']} s  "
            f"max {s['max_s']} s  (n {s['n']})"
        )
    if result["committed_not_received"]:
        print(f"  committed, never received: {result['committed_not_received']}")
    print(f"  CPU over the {window:.0f} s window: {_fmt(cpu)}")
    print(f"  uvicorn processes: {len(websocket_each)}, CPU each {websocket_each} s")
    print(f"  uvicorn CPU per message: {result['websocket_cpu_ms_per_message']} ms")
    return result


def _fmt(cpu) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in sorted(cpu.items()))


# --- CPU cost per request -------------------------------------------------------------------


async def http_load(requests: list[bytes], expect: int) -> tuple[int, int, float]:
    index, ok, bad = 0, 0, 0
    deadline = time.monotonic() + COST_MAX_SECONDS

    async def connection():
        nonlocal index, ok, bad
        reader, writer = await asyncio.open_connection("127.0.0.1", HTTP_PORT)
        try:
            while index < len(requests) and time.monotonic() < deadline:
                request = requests[index]
                index += 1
                writer.write(request)
                try:
                    status, _ = await asyncio.wait_for(read_response(reader), 15)
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    bad += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", HTTP_PORT)
                    continue
                if status == expect:
                    ok += 1
                else:
                    bad += 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(COST_CONNECTIONS)))
    return ok, bad, time.monotonic() - started


async def cost_phase(page_id, sign_id, cookies, meter) -> dict:
    loads = [
        ("proposal page (anonymous)", [get_bytes(f"/proposals/{page_id}/")] * COST_REQUESTS, 200),
        ("count.json", [get_bytes(f"/proposals/{page_id}/count.json")] * COST_REQUESTS, 200),
        ("signature", [sign_bytes(sign_id, c) for c in cookies[:COST_REQUESTS]], 302),
    ]
    results = {}
    for name, requests, expect in loads:
        # A short warm-up on the same route, so that first-request costs are not counted.
        if expect != 302:
            await http_load(requests[:20], expect)
        before = meter.sample()
        ok, bad, seconds = await http_load(requests, expect)
        if expect == 302:
            await asyncio.sleep(3)  # the counting loop's passes for these signatures
        cpu = CpuMeter.delta(before, meter.sample())
        per = {k: round(1000 * v / max(1, ok), 3) for k, v in sorted(cpu.items())}
        server = sum(v for k, v in per.items() if k != "load client")
        results[name] = {
            "ok": ok,
            "errors": bad,
            "per_second": round(ok / seconds, 1),
            "cpu_ms_per_request": per,
            "server_cpu_ms_per_request": round(server, 3),
        }
        print(
            f"  {name:28} {ok} ok, {bad} errors, {ok / seconds:.0f}/s over {COST_CONNECTIONS} "
            f"connections; CPU ms per request: "
            + ", ".join(f"{k} {v}" for k, v in per.items())
            + f"; servers {server:.2f}"
        )
    return results


# --- Main -----------------------------------------------------------------------------------


def main():
    tmp = Path(tempfile.mkdtemp(prefix="delta-fanout-"))
    env = configure_environment(tmp)
    raise_file_limit(2 * SOCKETS + 1000)
    print(
        f"Fan-out bench: {SOCKETS} sockets via {VIA}, a signature every {SIGN_EVERY} s for "
        f"{SIGN_SECONDS} s; phases {','.join(PHASES)}; {os.cpu_count()} cores"
    )
    app, log = start_stack(env, tmp)
    proxy = None
    meter = None
    results = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    try:
        if VIA == "nginx":
            proxy = start_nginx(tmp)
        from bench.sign_bench import prepare

        signers = int(SIGN_SECONDS / SIGN_EVERY) + 1
        cookies, hot, spread, _warm = prepare(users_needed=max(signers, COST_REQUESTS) + 1)
        meter = CpuMeter(app.pid, env["DATABASE_URL"], proxy.pid if proxy else None)
        if "fanout" in PHASES:
            print("Phase fan-out")
            results["fanout"] = asyncio.run(fanout_phase(hot, cookies[:signers], meter))
        if "cost" in PHASES:
            print("Phase cost (straight to gunicorn)")
            results["cost"] = asyncio.run(cost_phase(hot, spread[0], cookies, meter))
            if "fanout" in results:
                results["cost"]["websocket message (uvicorn)"] = {
                    "cpu_ms_per_message": results["fanout"]["websocket_cpu_ms_per_message"]
                }
    finally:
        if meter:
            meter.close()
        if proxy is not None:
            proxy.send_signal(signal.SIGQUIT)
            proxy.wait(timeout=15)
        stop_stack(app, log)
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
