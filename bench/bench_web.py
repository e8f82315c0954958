"""Benchmark: the catalogue page and the apply POST under load (issue 4).

Run: .venv/bin/python bench/bench_web.py [--seconds 8] [--rounds 4] [--clients 32] [--workers 4]

Against PostgreSQL (database ``kenshu_bench``, dropped and re-created) with gunicorn
(production settings, persistent connections), 32 concurrent keep-alive clients on
loopback (4 processes × 8 threads), all in one run; each page and its baseline are
measured in alternating slices (``--rounds``), so that a change of the machine's load
during the run weighs on both alike:

- GET /courses/ beside a bare view rendering the same number of session rows from
  one query (bench/urls.py);
- POST /apply/session/<id>/ (logged-in users, CSRF, the whole service: lock, count,
  order, enrolment, audit, outbox emails, the completion task's row) beside a bare
  view doing the same locked insert.

Prints req/s and p95 for each and the ratio to its baseline (goal: ≥ 50 %).

The qualified invoice of each application is issued just after it commits, by
``manage.py complete_applications`` (docs/performance.md). None runs during the
measurements (``--worker N`` starts N ``complete_applications --loop 1`` for the whole
run, on the same cores); at the end one completes the backlog, timed, and every
application is checked: one invoice each, numbers without a gap, the acceptance email
sent.
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


def worker(port, pair, client_ids, schedule, out, ready):
    """One process: a thread per client. Each logs in (POST pairs; a slow password
    hash, never measured) and, once every client of every process has (``ready``),
    follows ``schedule``: slices of ``pair[0]`` and ``pair[1]`` in turn, each a short
    warm-up then a measured span, requests back to back."""
    results = []
    lock = threading.Lock()
    logged_in = threading.Barrier(len(client_ids) + 1)
    go = threading.Event()
    origin = {}

    def loop(n):
        client = Client(port)
        post = pair[0]["post"]
        token = client.login(f"bench-{n}") if post else None
        logged_in.wait()
        go.wait()
        latencies = [[], []]
        errors = [0, 0]
        sent = [0, 0]
        for which, begin, start, stop in schedule:
            spec = pair[which]
            begin, start, stop = (origin["t"] + t for t in (begin, start, stop))
            while time.monotonic() < begin:
                time.sleep(0.001)
            while time.monotonic() < stop:
                if post:
                    pk = spec["first_session"] + n + sent[which] * spec["clients"]
                    sent[which] += 1
                    path, body = spec["path"].format(pk=pk), {"csrfmiddlewaretoken": token}
                else:
                    path, body = spec["path"], None
                t0 = time.monotonic()
                status, _ = client.request("POST" if post else "GET", path, body)
                t1 = time.monotonic()
                if t0 >= start and t1 <= stop + 5:
                    latencies[which].append(t1 - t0)
                    if status >= 400:
                        errors[which] += 1
        with lock:
            results.append((latencies, errors))

    threads = [threading.Thread(target=loop, args=(n,)) for n in client_ids]
    for t in threads:
        t.start()
    logged_in.wait()
    ready.wait()  # every process's clients are logged in
    origin["t"] = time.monotonic()
    go.set()
    for t in threads:
        t.join()
    out.put(results)


def measure_pair(port, pair, clients, processes, seconds, warmup, rounds):
    """Measure ``pair`` (a page and its baseline) in ``rounds`` alternating slices of
    ``seconds / rounds`` each (after ``warmup`` seconds of the same), so that both see
    the same machine: its load may change during a run. Returns, for each, (req/s,
    p95 ms, p50 ms, errors)."""
    span = seconds / rounds
    schedule, t = [], 0.0
    for r in range(rounds):
        for which in (0, 1) if r % 2 == 0 else (1, 0):
            schedule.append((which, t, t + warmup, t + warmup + span))
            t += warmup + span
    out = mp.Queue()
    ready = mp.Barrier(processes)
    groups = [list(range(p, clients, processes)) for p in range(processes)]
    procs = [mp.Process(target=worker, args=(port, pair, g, schedule, out, ready)) for g in groups]
    for p in procs:
        p.start()
    latencies, errors = [[], []], [0, 0]
    for _ in procs:
        for lat, err in out.get():
            for which in (0, 1):
                latencies[which].extend(lat[which])
                errors[which] += err[which]
    for p in procs:
        p.join()
    figures = []
    for which in (0, 1):
        values = sorted(latencies[which])
        count = len(values)
        p95 = values[int(count * 0.95) - 1] * 1000 if count else float("nan")
        p50 = statistics.median(values) * 1000 if count else 0
        figures.append((count / seconds, p95, p50, errors[which]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--warmup", type=float, default=0.5, help="seconds before each measured slice"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="slices of each page, alternating with its baseline's (default 4)",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--catalogue", default="/courses/")
    parser.add_argument(
        "--worker",
        type=int,
        default=0,
        metavar="N",
        help="run N completion loops during the measurements (default: none)",
    )
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
    workers = [_start_worker(env) for _ in range(args.worker)]
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

        pool = {"clients": args.clients}
        pairs = [
            (
                ("catalogue GET " + args.catalogue, {"path": args.catalogue, "post": False}),
                (
                    f"baseline GET ({rows} rows, one query)",
                    {"path": f"/bench/rows/{rows}/", "post": False},
                ),
            ),
            (
                (
                    "apply POST /apply/session/<id>/",
                    {"path": "/apply/session/{pk}/", "post": True, "first_session": first_session},
                ),
                (
                    "baseline POST locked insert",
                    {
                        "path": "/bench/insert/{pk}/",
                        "post": True,
                        "first_session": first_session + pool_size // 2,
                    },
                ),
            ),
        ]
        ratios = []
        for pair in pairs:
            specs = [{**spec, **pool} for _label, spec in pair]
            results = measure_pair(
                port, specs, args.clients, args.processes, args.seconds, args.warmup, args.rounds
            )
            for (label, _spec), (rps, p95, p50, errors) in zip(pair, results, strict=True):
                print(
                    f"{label:<40} {rps:8.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
                    f"   errors {errors}"
                )
            ratios.append(results[0][0] / results[1][0])
        print(
            f"catalogue / baseline: {ratios[0]:.0%}   apply / baseline: {ratios[1]:.0%}"
            "   (goal ≥ 50 %)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        for worker_process in workers:
            os.killpg(worker_process.pid, signal.SIGTERM)
            worker_process.wait(timeout=60)
    try:
        complete_backlog(env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _completion_command(env) -> list[str]:
    """What completes applications after commit: ``complete_applications`` (one pass;
    ``--loop 1`` keeps at it), or, in a version without it, the task worker."""
    probe = subprocess.run(
        [PYTHON, "manage.py", "help", "complete_applications"],
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    if probe.returncode == 0:
        return [PYTHON, "manage.py", "complete_applications"]
    return [PYTHON, "manage.py", "db_worker", "--batch", "--no-reload", "--interval", "0"]


def _start_worker(env):
    command = _completion_command(env)
    if command[2] == "complete_applications":
        command += ["--loop", "1"]
    else:
        command = [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


PENDING = """
from kenshu.enrollments.models import Enrollment
print(Enrollment.objects.filter(course__code="APPLY", order__isnull=False)
      .exclude(order__invoices__kind="invoice").count())
"""

CHECK = """
from django.db.models import Count, Max
from kenshu.billing.models import Invoice
from kenshu.enrollments.models import Enrollment
from kenshu.notifications.models import OutboxEmail
applied = Enrollment.objects.filter(course__code="APPLY", order__isnull=False)
invoices = Invoice.objects.filter(kind="invoice")
numbers = sorted(int(n.rsplit("-", 1)[1]) for n in invoices.values_list("number", flat=True))
per_order = applied.annotate(n=Count("order__invoices")).values_list("n", flat=True)
sent = OutboxEmail.objects.filter(template="application_accepted", state="sent").count()
print(applied.count(), invoices.count(), numbers == list(range(1, len(numbers) + 1)),
      set(per_order) <= {1}, sent)
"""


def complete_backlog(env) -> None:
    """One process completes what the apply phase left (the invoices and acceptance
    emails), timed; then every application is checked."""
    pending = run([PYTHON, "manage.py", "shell", "-c", PENDING], env).stdout.split()[-1]
    started = time.monotonic()
    run(_completion_command(env), env)
    took = time.monotonic() - started
    applied, invoices, gapless, one_each, sent = run(
        [PYTHON, "manage.py", "shell", "-c", CHECK], env
    ).stdout.split()[-5:]
    print(
        f"completion: {pending} application(s) without an invoice completed by one process "
        f"in {took:.1f} s ({int(pending) / took:.0f}/s, start-up included); {applied} "
        f"applications, {invoices} invoices, numbers gapless: {gapless}, one invoice per "
        f"application: {one_each}, acceptance emails sent: {sent}"
    )


if __name__ == "__main__":
    main()
