"""Benchmark: the catalogue page and the apply POST under load (issue 4).

Run: .venv/bin/python bench/bench_web.py [--seconds 8] [--clients 32] [--workers 4]

Against PostgreSQL (database ``kenshu_bench``, dropped and re-created) with gunicorn
(production settings, persistent connections), 32 concurrent keep-alive clients on
loopback (4 processes × 8 threads), all in one run:

- GET /courses/ beside a bare view rendering the same number of session rows from
  one query (bench/urls.py);
- POST /apply/session/<id>/ (logged-in users, CSRF, the whole service: lock, count,
  order, qualified invoice, enrolment, outbox emails, audit) beside a bare view doing
  the same locked insert.

Prints req/s and p95 for each and the ratio to its baseline (goal: ≥ 50 %).
"""

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "kenshu_bench"
PASSWORD = "bench-Password-2026"  # noqa: S105 - throwaway benchmark users

SEED = """
import datetime as dt
from allauth.account.models import EmailAddress
from django.utils import timezone
from kenshu.accounts.models import User
from kenshu.catalog.models import Course, Session

start = timezone.now() + dt.timedelta(days=30)
courses = Course.objects.bulk_create([
    Course(code=f"BEN{i:04d}", title=f"ベンチマーク研修 {i}", summary="負荷試験用のコースです。",
           delivery="classroom", fee=30000, is_published=True)
    for i in range(40)
])
Session.objects.bulk_create([
    Session(course=c, starts_at=start + dt.timedelta(days=j * 7, hours=i % 5),
            ends_at=start + dt.timedelta(days=j * 7, hours=i % 5 + 6),
            deadline=start - dt.timedelta(days=1), venue="東京研修センター", capacity=30)
    for i, c in enumerate(courses) for j in range(3)
])
pool = Course.objects.create(code="APPLY", title="申込ベンチマーク", delivery="classroom",
                             fee=30000, is_published=True)
Session.objects.bulk_create([
    Session(course=pool, starts_at=start + dt.timedelta(days=60, minutes=k),
            ends_at=start + dt.timedelta(days=60, minutes=k, hours=6),
            deadline=start, venue="大阪研修センター", capacity=1000)
    for k in range(20000)
])
for n in range(CLIENTS):
    u = User.objects.create_user(username=f"bench-{n}", email=f"bench-{n}@example.jp",
                                 password=PASSWORD, last_name="負荷", first_name=str(n))
    EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)
ids = list(Session.objects.filter(course=pool).order_by("pk").values_list("pk", flat=True))
print(ids[0], len(ids))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kw)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


class Client:
    """One keep-alive HTTP client with a cookie jar (just what Django needs)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self, username: str) -> str:
        self.request("GET", "/accounts/login/")
        token = self.cookies["csrftoken"]
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": username, "password": PASSWORD},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed ({status})")
        return self.cookies["csrftoken"]


def worker(port, spec, client_ids, seconds, warmup, out):
    """One process: a thread per client; each sends requests back to back."""
    results = []
    lock = threading.Lock()
    start_at = time.monotonic() + warmup + 1.0
    stop_at = start_at + seconds

    def loop(n):
        client = Client(port)
        token = client.login(f"bench-{n}") if spec["post"] else None
        latencies, errors, k = [], 0, 0
        while time.monotonic() < stop_at:
            if spec["post"]:
                pk = spec["first_session"] + n + k * spec["clients"]
                k += 1
                path = spec["path"].format(pk=pk)
                body = {"csrfmiddlewaretoken": token}
            else:
                path, body = spec["path"], None
            t0 = time.monotonic()
            status, _ = client.request("POST" if spec["post"] else "GET", path, body)
            t1 = time.monotonic()
            if t0 >= start_at:
                latencies.append(t1 - t0)
                if status >= 400:
                    errors += 1
        with lock:
            results.append((latencies, errors))

    threads = [threading.Thread(target=loop, args=(n,)) for n in client_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def measure(port, spec, clients, processes, seconds, warmup):
    out = mp.Queue()
    groups = [list(range(p, clients, processes)) for p in range(processes)]
    procs = [mp.Process(target=worker, args=(port, spec, g, seconds, warmup, out)) for g in groups]
    for p in procs:
        p.start()
    latencies, errors = [], 0
    for _ in procs:
        for lat, err in out.get():
            latencies.extend(lat)
            errors += err
    for p in procs:
        p.join()
    latencies.sort()
    count = len(latencies)
    p95 = latencies[int(count * 0.95) - 1] * 1000 if count else float("nan")
    return count / seconds, p95, statistics.median(latencies) * 1000 if count else 0, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--catalogue", default="/courses/")
    parser.add_argument(
        "--rows",
        type=int,
        default=60,
        help="rows of the baseline page (default 60: the catalogue's 20 courses × 3 sessions)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kenshu-bench-web-"))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"},
        "KENSHU_ENV": "production",
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME,
        "CONN_MAX_AGE": "600",
        "KENSHU_ROOT_URLCONF": "bench.urls",
        "KENSHU_STAFF_MFA_REQUIRED": "false",
        "KENSHU_VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        "KENSHU_LOGIN_FAILED_LIMIT": "1000/m/ip",
    }
    print(
        f"PostgreSQL database {DB_NAME}, gunicorn {args.workers} workers on :{port}, "
        f"{args.clients} clients ({args.processes} processes), {args.seconds:.0f} s each"
    )
    recreate_database()
    run([PYTHON, "manage.py", "migrate", "--noinput"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput"], env)
    run([PYTHON, "manage.py", "compile_translations", "--verbosity", "0"], env)
    seed = SEED.replace("CLIENTS", str(args.clients)).replace("PASSWORD", repr(PASSWORD))
    first_session, pool_size = map(
        int, run([PYTHON, "manage.py", "shell", "-c", seed], env).stdout.split()[-2:]
    )

    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        probe = Client(port)
        status, page = probe.request("GET", args.catalogue)
        if status != 200:
            raise SystemExit(f"{args.catalogue} answered {status}")
        rows = args.rows
        del page

        specs = [
            ("catalogue GET " + args.catalogue, {"path": args.catalogue, "post": False}),
            (
                f"baseline GET ({rows} rows, one query)",
                {"path": f"/bench/rows/{rows}/", "post": False},
            ),
            ("apply POST /apply/session/<id>/", {"path": "/apply/session/{pk}/", "post": True}),
            ("baseline POST locked insert", {"path": "/bench/insert/{pk}/", "post": True}),
        ]
        figures = {}
        for offset, (label, spec) in enumerate(specs):
            spec.update(
                first_session=first_session + (offset % 2) * pool_size // 2, clients=args.clients
            )
            rps, p95, median, errors = measure(
                port, spec, args.clients, args.processes, args.seconds, args.warmup
            )
            figures[label] = rps
            print(
                f"{label:<40} {rps:8.1f} req/s   p50 {median:6.1f} ms   p95 {p95:6.1f} ms"
                f"   errors {errors}"
            )
        labels = list(figures)
        print(
            f"catalogue / baseline: {figures[labels[0]] / figures[labels[1]]:.0%}   "
            f"apply / baseline: {figures[labels[2]] / figures[labels[3]]:.0%}   (goal ≥ 50 %)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
