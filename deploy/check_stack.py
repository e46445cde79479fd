"""The deployed-stack check: `make run-production` with nginx (deploy/nginx/delta.conf) in
front, over TLS, on PostgreSQL + Redis. Called by .ci/run; exits 0 when nginx, openssl,
PostgreSQL or Redis is missing (and says so), 1 when a check fails.

Checks through the proxy: a page (200), a static file, CHECK_WEBSOCKETS (16) websockets on a
proposal's count route each receiving the count after a signature and spread over every uvicorn
process (decision 92), and the client address the rate limits see (the one
nginx sets, not one the client sends); then a bounded load over CONNECTIONS connections:
SIGNERS signatures by distinct accounts, and BALLOTS students voting in the booth as a
classroom does (the code page with their printed code and the class code, then the cast):
zero 5xx, exactly SIGNERS signature rows, BALLOTS ballots and participations, the count shown
on count.json and on the proposal page, and PostgreSQL connections within the budget of
decision 69 (CHECK_MAX_CONNECTIONS, 22) throughout.

    DATABASE_URL=postgres://…/db REDIS_URL=redis://…/n python deploy/check_stack.py
Ports: CHECK_TLS_PORT (8443), CHECK_HTTP_PORT (8251), CHECK_ASGI_PORT (8252).
"""

import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TLS_PORT = int(os.environ.get("CHECK_TLS_PORT", "8443"))
HTTP_PORT = int(os.environ.get("CHECK_HTTP_PORT", "8251"))
ASGI_PORT = int(os.environ.get("CHECK_ASGI_PORT", "8252"))
SIGNERS = int(os.environ.get("CHECK_SIGNERS", "1000"))
BALLOTS = int(os.environ.get("CHECK_BALLOTS", "500"))
CONNECTIONS = int(os.environ.get("CHECK_CONNECTIONS", "32"))
WEBSOCKETS = int(os.environ.get("CHECK_WEBSOCKETS", "16"))
# decision 69: gunicorn 8 + uvicorn 4 (decision 92) + the django-q2 cluster 10
MAX_CONNECTIONS = int(os.environ.get("CHECK_MAX_CONNECTIONS", "22"))
HOST = f"127.0.0.1:{TLS_PORT}"
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the certificate is made here, self-signed


def skip(reason):
    print(f"deployed-stack check SKIPPED: {reason}")
    sys.exit(0)


def fail(reason):
    raise SystemExit(f"deployed-stack check FAILED: {reason}")


def services_up(env) -> bool:
    import psycopg
    import redis

    try:
        psycopg.connect(env["DATABASE_URL"], connect_timeout=3).close()
        redis.Redis.from_url(env["REDIS_URL"], socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001 -- any failure means "not here"
        print(f"  {error}")
        return False
    return True


def nginx_conf(tmp: Path, static_root: Path, media_root: Path) -> Path:
    from deploy.stack import nginx_conf as stack_nginx_conf

    return stack_nginx_conf(
        tmp, static_root, media_root, tls_port=TLS_PORT, http_port=HTTP_PORT, asgi_port=ASGI_PORT
    )


def request(method, path, body=None, headers=None, conn=None, location=False):
    own = conn is None
    conn = conn or http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
    conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    if location:
        return response.status, response.getheader("Location", "")
    return response.status, data


def sign_once(conn, proposal_id, cookie, extra=None):
    session_key, csrf = cookie[0], cookie[1]
    return request(
        "POST",
        f"/proposals/{proposal_id}/sign/",
        body=f"csrfmiddlewaretoken={csrf}&visibility=anonymous",
        headers={
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/proposals/{proposal_id}/",
            **(extra or {}),
        },
        conn=conn,
        location=True,
    )


def ws_open(path):
    raw = socket.create_connection(("127.0.0.1", TLS_PORT), timeout=10)
    sock = TLS.wrap_socket(raw, server_hostname="127.0.0.1")
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: https://{HOST}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            fail(f"websocket {path}: connection closed during the handshake")
        head += chunk
    status = head.split(b"\r\n", 1)[0]
    if b" 101 " not in status:
        fail(f"websocket {path}: {status.decode()}")
    return sock


def ws_read_text(sock, timeout):
    sock.settimeout(timeout)

    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                fail("websocket closed before a message arrived")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(exactly(2), "big")
    elif length == 127:
        length = int.from_bytes(exactly(8), "big")
    payload = exactly(length)
    if first & 0x0F == 0x8:
        fail(f"websocket closed by the server ({payload[:2].hex()})")
    return payload.decode()


class ConnectionWatch(threading.Thread):
    """Samples PostgreSQL's backends on the stack's database (not counting its own and the
    check's) every 0.2 s, and keeps the highest number seen."""

    def __init__(self, database_url: str, exclude: set[int]):
        super().__init__(daemon=True)
        self.database_url, self.exclude = database_url, exclude
        self.highest = 0
        self.done = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            own = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            while not self.done.is_set():
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchall()
                count = len({pid for (pid,) in pids} - self.exclude - {own})
                self.highest = max(self.highest, count)
                self.done.wait(0.2)


GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def make_booth(voters: int):
    """An open election with one class of ``voters`` students, their printed codes and an open
    classroom session, as the election administrator and the contact person set it up."""
    from datetime import date, timedelta

    from django.utils import timezone

    from youth_vote import services
    from youth_vote.models import Candidate, Election, SchoolClass

    # Earlier checks' elections on this database are over, so the booth leads with this one.
    Election.objects.filter(slug__startswith="check-").update(status=Election.Status.PUBLISHED)
    now = timezone.now()
    election = services.election_create(
        actor=None, name="Deployed-stack check", slug=f"check-{secrets.token_hex(4)}",
        opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(minutes=30),
        total_members=2, total_substitutes=1,
    )
    district = services.district_create(
        election=election, actor=None, name="Check", child_population=voters
    )
    school = services.school_create(election=election, district=district, actor=None, name="S")
    for n in range(3):
        candidate = services.candidate_create(
            election=election, district=district, actor=None, given_name=f"K{n}",
            family_name="Check", grade=8, birth_date=date(now.year - 14, 1, 1),
        )
        services.candidate_transition(candidate=candidate, to=Candidate.Status.APPROVED, actor=None)
    # Photos: one approved candidate's (anyone may see it) and one rejected candidate's (nobody
    # but election administrators; a frozen election has none under review).
    from django.core.files.uploadedfile import SimpleUploadedFile

    photos = {}
    for status in (Candidate.Status.APPROVED, Candidate.Status.REJECTED):
        candidate = services.candidate_create(
            election=election, district=district, actor=None, given_name=f"Foto {status}",
            family_name="Check", grade=8, birth_date=date(now.year - 14, 1, 1),
            photo=SimpleUploadedFile(f"check-{status}.gif", GIF, content_type="image/gif"),
            photo_alt="Ett porträtt",
        )
        services.candidate_transition(
            candidate=candidate, to=status, actor=None, reason="Granskad i kontrollen"
        )
        photos[status] = candidate.photo
    lines = ["student_ref,given_name,family_name,class,grade,birth_date,district"]
    lines += [f"{n},E{n},B,8A,8,{now.year - 14}-01-01,{district.slug}" for n in range(voters)]
    services.roll_import(election=election, school=school, data="\n".join(lines), actor=None)
    election, _sheets = services.election_freeze(election=election, actor=None)
    school_class = SchoolClass.objects.get(school=school)
    codes = [code for _voter, code in services.class_codes_issue(school_class=school_class, actor=None)]
    session = services.session_open(school_class=school_class, actor=None, minutes=30)
    return election, codes, session.secret, photos


def vote_once(conn, jar, code, secret):
    """One student at the booth: the code page, then the cast; returns (status, where).
    ``jar`` keeps the device's cookies (CSRF, the booth's device cookie) between students."""
    from youth_vote.codes import session_code_now

    def send(method, path, fields=None):
        headers = {"Host": HOST, "Referer": f"https://{HOST}/youth-vote/vote/"}
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"https://{HOST}"})
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, response.getheader("Location", "")

    status, page, _ = send("GET", "/youth-vote/vote/")
    if status != 200:
        return status, "code page"
    csrf = re.search(rb'name="csrfmiddlewaretoken"[^>]*?value="([^"]+)"', page).group(1).decode()
    fields = {"csrfmiddlewaretoken": csrf, "code": code, "session_code": session_code_now(secret)}
    status, page, _ = send("POST", "/youth-vote/vote/", fields)
    if status != 200:
        return status, "code entry"
    ballot_pass = re.search(rb'name="ballot_pass"[^>]*?value="([^"]+)"', page).group(1).decode()
    choice = re.findall(rb'name="choice"[^>]*?value="([^"]+)"', page)[0].decode()
    fields = {"csrfmiddlewaretoken": csrf, "ballot_pass": ballot_pass, "choice": choice}
    status, _page, where = send("POST", "/youth-vote/vote/cast/", fields)
    return status, where


def main():  # noqa: C901 - the stack check is one sequence of steps, each with its own check
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name, "").startswith(("postgres", "redis")):
            skip(f"{name} is not set to PostgreSQL / Redis")
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not nginx or not shutil.which("openssl"):
        skip("nginx or openssl is not installed")
    if not services_up(env):
        skip("PostgreSQL or Redis does not answer")

    tmp = Path(tempfile.mkdtemp(prefix="delta-stack-"))
    tmp.chmod(0o755)  # nginx's workers run as another user when it is started as root
    static_root, media_root = tmp / "static", tmp / "media"
    from deploy.stack import production_env, websocket_connections

    env = production_env(
        tls_port=TLS_PORT,
        http_port=HTTP_PORT,
        asgi_port=ASGI_PORT,
        tmp=tmp,
        SECRET_KEY=secrets.token_urlsafe(40),
    )
    openssl = shutil.which("openssl")
    certificate = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    certificate += ["-subj", "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem")]
    certificate += ["-out", str(tmp / "cert.pem")]
    subprocess.run([openssl, *certificate], check=True, capture_output=True)  # noqa: S603
    log = open(tmp / "run-production.log", "w")  # noqa: SIM115
    app = subprocess.Popen(  # noqa: S603
        ["make", "--no-print-directory", "run-production"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proxy = None
    try:
        conf = nginx_conf(tmp, static_root, media_root)
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"])  # noqa: S603
        # This process makes the data: its proposals take their signature threshold from here
        # (the default 200 would refer the proposal to the council mid-load and close it).
        shared = (
            "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PROPOSALS_SIGNATURE_THRESHOLD", "MEDIA_ROOT"
        )
        os.environ.update({k: env[k] for k in shared})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "democracy.settings")
        os.environ.setdefault("DEBUG", "0")
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
        deadline = time.time() + 180
        while True:
            if proxy.poll() is not None:
                fail(f"nginx exited ({proxy.returncode}); see {tmp}/error.log")
            if app.poll() is not None:
                fail(f"make run-production exited ({app.returncode}); see {tmp}/run-production.log")
            try:
                if request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                fail("the stack did not answer /healthz through nginx within 180 s")
            time.sleep(1)
        from bench.sign_bench import prepare, wait_for_counting_loop

        cookies, hot, _spread, warm = prepare(users_needed=SIGNERS + 1)
        wait_for_counting_loop(env)

        status, _ = request("GET", f"/proposals/{hot}/")
        if status != 200:
            fail(f"proposal page: HTTP {status}")
        css = sorted(static_root.rglob("*.css"))
        if not css:
            fail("collectstatic left no CSS file in STATIC_ROOT")
        rel = css[0].relative_to(static_root).as_posix()
        status, body = request("GET", f"/static/{rel}")
        if status != 200 or body != css[0].read_bytes():
            fail(f"static file /static/{rel}: HTTP {status}")
        print(f"  page 200, static /static/{rel} 200")
        status, _ = request("GET", "/" + "a" * 20_000)
        if status != 414:
            fail(f"a 20 KB address: HTTP {status}, not 414")
        print("  a 20 KB address: 414")

        # Websockets: subscribe to the warm-up proposal from several sockets (they spread over
        # the uvicorn processes that share the port), sign it (with a forged X-Real-IP), and
        # wait for the count on every socket.
        sockets = [ws_open(f"/ws/proposals/{warm}/") for _ in range(WEBSOCKETS)]
        held = websocket_connections(app.pid, ASGI_PORT)
        conn = http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
        forged = {"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"}
        status, where = sign_once(conn, warm, cookies[-1], forged)
        if "signed=1" not in where:
            fail(f"signing the warm-up proposal: HTTP {status} to {where!r}")
        messages = [json.loads(ws_read_text(sock, timeout=15)) for sock in sockets]
        for sock in sockets:
            sock.close()
        wrong = [m for m in messages if m.get("count") != 1]
        if wrong:
            fail(f"websocket messages {wrong}")
        expected = int(env.get("ASGI_PROCESSES") or 2)
        if len(held) != expected or min(held) < 1 or sum(held) != WEBSOCKETS:
            fail(
                f"{WEBSOCKETS} websockets were held by the uvicorn processes as {held}: not "
                f"spread over {expected} processes"
            )
        print(
            f"  {WEBSOCKETS} websockets on /ws/proposals/{warm}/ each received {messages[0]}; "
            f"the {expected} uvicorn processes held {held} of them"
        )

        import django

        django.setup()
        from proposals.models import Signature

        ip = Signature.objects.filter(proposal_id=warm).values_list("ip_address", flat=True).get()
        if ip != "127.0.0.1":
            fail(f"the rate limits saw the client address {ip!r}, not nginx's peer 127.0.0.1")
        print("  the rate limits see the address nginx set (127.0.0.1), not the forged one")

        def signer(chunk):
            statuses = []
            c = http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
            for cookie in chunk:
                try:
                    statuses.append(sign_once(c, hot, cookie))
                except (OSError, http.client.HTTPException):
                    c.close()
                    c = http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
                    statuses.append((599, ""))
            c.close()
            return statuses

        def voter(chunk):
            statuses, jar = [], {}
            c = http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
            for code in chunk:
                try:
                    statuses.append(vote_once(c, jar, code, secret))
                except (OSError, http.client.HTTPException):
                    c.close()
                    c = http.client.HTTPSConnection("127.0.0.1", TLS_PORT, context=TLS, timeout=30)
                    statuses.append((599, ""))
            c.close()
            return statuses

        from django.db import connection

        election, codes, secret, photos = make_booth(BALLOTS)
        approved, rejected = photos["approved"], photos["rejected"]
        status, body = request("GET", approved.url)
        if status != 200 or body != GIF:
            fail(f"an approved candidate's photo {approved.url}: HTTP {status}")
        for url in (rejected.url, f"/internal-media/{rejected.name}"):
            status, _ = request("GET", url)
            if status != 404:
                fail(f"a rejected candidate's photo {url}: HTTP {status}, not 404")
        print("  candidates' photos: approved 200, rejected 404 (also by the internal path)")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own_pid = cursor.fetchone()[0]
        watch = ConnectionWatch(env["DATABASE_URL"], exclude={own_pid})
        watch.start()
        load = cookies[:SIGNERS]
        sign_connections = max(1, CONNECTIONS // 2)
        vote_connections = max(1, CONNECTIONS - sign_connections)
        sign_chunks = [load[i::sign_connections] for i in range(sign_connections)]
        vote_chunks = [codes[i::vote_connections] for i in range(vote_connections)]
        started = time.time()
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            signing = [pool.submit(signer, chunk) for chunk in sign_chunks]
            voting = [pool.submit(voter, chunk) for chunk in vote_chunks]
            statuses = [s for f in signing for s in f.result()]
            cast = [s for f in voting for s in f.result()]
        seconds = time.time() - started
        watch.done.set()
        watch.join()
        bad = [s for s, _where in statuses + cast if s >= 500]
        outcomes = sorted({(s, where.split("/")[-1] if s != 599 else "") for s, where in statuses})
        rows = Signature.objects.filter(proposal_id=hot).count()
        from youth_vote.models import Ballot, Participation

        ballots = Ballot.objects.filter(election=election).count()
        voted = Participation.objects.filter(voter__election=election).count()
        print(
            f"  {len(statuses)} signatures over {sign_connections} connections and {len(cast)} "
            f"booth casts over {vote_connections}, together in {seconds:.1f} s "
            f"({len(statuses) / seconds:.0f} signatures/s, {len(cast) / seconds:.0f} casts/s); "
            f"5xx: {len(bad)}; signature rows: {rows}; ballots: {ballots}; participations: {voted}; "
            f"PostgreSQL connections at most {watch.highest} (budget {MAX_CONNECTIONS})"
        )
        signed = sum(1 for s, where in statuses if s == 302 and "signed=1" in where)
        if bad or rows != SIGNERS or signed != SIGNERS:
            fail(f"answers {outcomes}, {len(bad)} 5xx, {signed} signed, {rows} rows of {SIGNERS}")
        done = sum(1 for s, where in cast if s == 303 and where.endswith("/vote/done/"))
        if done != BALLOTS or ballots != BALLOTS or voted != BALLOTS:
            outcomes = sorted({(s, where) for s, where in cast})
            fail(f"booth answers {outcomes}: {done} cast, {ballots} ballots, {voted} voted of {BALLOTS}")
        if watch.highest > MAX_CONNECTIONS:
            fail(f"{watch.highest} PostgreSQL connections, over the budget of {MAX_CONNECTIONS}")
        shown = None
        deadline = time.time() + 15
        while time.time() < deadline:
            status, body = request("GET", f"/proposals/{hot}/count.json")
            shown = json.loads(body).get("count") if status == 200 else None
            if shown == SIGNERS:
                break
            time.sleep(0.5)
        if shown != SIGNERS:
            fail(f"count.json says {shown}, expected {SIGNERS}")
        status, page = request("GET", f"/proposals/{hot}/")
        number = re.search(rb"data-count-number>([^<]+)<", page)
        on_page = int(re.sub(r"\D", "", number.group(1).decode())) if number else None
        if status != 200 or on_page != SIGNERS:
            fail(f"the proposal page shows {on_page} (HTTP {status}), expected {SIGNERS}")
        print(f"  displayed count {shown} (count.json and the proposal page)")
        print("deployed-stack check passed")
    finally:
        if proxy is not None:
            proxy.send_signal(signal.SIGQUIT)
            proxy.wait(timeout=15)
        from deploy.stack import stop_run_production

        stop_run_production(app)  # make, the supervisor, and the servers it stops
        log.close()


if __name__ == "__main__":
    main()
