"""Throughput of the real server: `python -m bench.http --visits N --seconds S --users U --json`.

What it measures: requests per second and response times (p50, p95) of the pages people use
most, served by gunicorn with production settings, under `--users` concurrent clients that
send their next request as soon as the last one is answered (a closed loop, no think time),
for `--seconds` per endpoint, one endpoint after the other:

- `health`: the trivial `/healthz` JSON view (no database, no session): the ceiling of this
  server, client and machine;
- `ledger_list`: the ledger list (`/ledger/visits/`, pages 1–3) as the city office, whose
  scope is the whole city;
- `quick_entry`: station officers (a different login each) GET the quick-entry form and POST
  a valid visit (CSRF token from the form); both requests count, and each saved visit is
  looked up in the database afterwards;
- `dashboard_summary`, `dashboard_trend`, `dashboard_leaderboard`: the dashboards' JSON views
  for the demo's phase 2, as the city office.

Each endpoint reports `requests`, `failures`, `rps` (over its measuring window, `seconds`),
`p50_ms`, `p95_ms`, `login_p95_ms` (the logins before the window) and `busy_elsewhere_pct`:
the share of the machine's CPU that other people's processes took meanwhile (the machine is
shared; a run where it is high is not comparable with a quiet one).
`ratios.<endpoint>_vs_ceiling` is the endpoint's requests/s over the health view's, in the
same run, on the same server. Failed requests are counted in `errors` (and make it exit 1).

How:

1. A throwaway database: the test database of whatever DATABASE_URL names (PostgreSQL, or a
   SQLite *file*, since the server's workers must share it), named `<database>_bench_http`
   (a file in a temporary folder for SQLite), with the demo city (`demo_build`, `--visits`
   visits).
2. gunicorn on 127.0.0.1 on a free port (`--workers`, default 4, gthread with `--threads`,
   default 2: two cores, requests that wait on the database) with `config.settings.prod`, the
   production settings, given test values through the environment, since prod refuses to
   start without them: DATABASE_URL of the throwaway database, a random secret key,
   `ZOUFANG_ALLOWED_HOSTS=127.0.0.1`, and this process's personal-data keys (the demo's
   phone and ID numbers were sealed with them). Static files are collected into a throwaway
   `ZOUFANG_VAR_DIR` with a plain manifest (prod's compressed storage would spend minutes
   on Brotli; pages only need the manifest). Prod redirects HTTP to HTTPS and marks cookies
   `Secure`: the client plays the TLS-terminating proxy and sends `X-Forwarded-Proto: https`
   (see bench/locustfile.py). So DEBUG is off, connections are kept (CONN_MAX_AGE 60),
   passwords are Argon2, CSRF and the CSP apply: what production runs, minus TLS.
3. The load: locust (bench/locustfile.py), headless, one process of FastHttpUser (gevent, far
   cheaper per request than a thread pool of `requests`), in a subprocess so that gevent's
   monkey-patching stays out of this process and its database connection. Users log in
   before the clock of their endpoint starts (Argon2 is slow on purpose). Note that client
   and server share the machine's two cores: the ceiling is this machine's, not the server's.
4. At the end, even on failure, Ctrl-C or SIGTERM: gunicorn and locust stopped (their own
   process groups), the database dropped, the temporary folder removed (`--keep` keeps the
   folder, with an access log of every request's server time, for a closer look).

`bench.load` reuses the server, database and locust plumbing defined here.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import emit, parser, setup_django, stopwatch

BASE_DIR = Path(__file__).resolve().parents[1]
LOCUSTFILE = BASE_DIR / "bench" / "locustfile.py"
SERVER_SETTINGS = "config.settings.prod"

# (figure name, locust user class, locust entry names that make up the endpoint)
ENDPOINTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("health", "Health", ("health",)),
    ("ledger_list", "LedgerList", ("ledger list",)),
    ("quick_entry", "QuickEntry", ("quick entry form", "quick entry save")),
    ("dashboard_summary", "DashboardSummary", ("dashboard summary",)),
    ("dashboard_trend", "DashboardTrend", ("dashboard trend",)),
    ("dashboard_leaderboard", "DashboardLeaderboard", ("dashboard leaderboard",)),
)
LOGIN_ENTRIES = ("login page", "login")


def say(line: str) -> None:
    """Progress on stderr (stdout ends with the one JSON line)."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def add_server_arguments(args_parser: Any) -> None:
    """The server's flags, shared with bench.load."""
    args_parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args_parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    args_parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the run's folder (server log with an access log, locust logs and reports)",
    )


def clean_up(folder: Path, *, keep: bool) -> None:
    """Remove the run's temporary folder, or say where it is."""
    if keep:
        say(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the clean-up in `finally` blocks runs."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


# --- the throwaway database ----------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(label: str, folder: Path) -> Iterator[str]:
    """Create and migrate a test database for this benchmark; yield its DATABASE_URL for the
    server processes; drop it on the way out.

    PostgreSQL: `<name of DATABASE_URL's database>_bench_<label>`. SQLite: a file in `folder`
    (a test database in memory could not be shared with the server's workers).
    """
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings = connection.settings_dict
    original_name = str(settings["NAME"])
    if connection.vendor == "sqlite":
        test_name = str(folder / f"zoufang_h1_bench_{label}.sqlite3")
        url = f"sqlite:///{test_name}"
    else:
        test_name = f"{original_name}_bench_{label}"
        parts = urlsplit(os.environ.get("DATABASE_URL", ""))
        url = f"{parts.scheme}://{parts.netloc}/{test_name}"  # urlunsplit drops an empty host
        url += f"?{parts.query}" if parts.query else ""
    settings.setdefault("TEST", {})["NAME"] = test_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield url
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def collect_static(var_dir: Path) -> None:
    """Static files and their manifest into `var_dir/static`, as prod's STATIC_ROOT expects
    them (hashed names; uncompressed, which serves the same pages in a second, not minutes)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=var_dir / "static", STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0, link=True)


def server_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """What config.settings.prod requires, with values for this run only."""
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
        "DATABASE_URL": database_url,
        "ZOUFANG_SECRET_KEY": secrets.token_urlsafe(50),
        "ZOUFANG_ALLOWED_HOSTS": "127.0.0.1",
        "ZOUFANG_FIELD_KEY": settings.ZOUFANG_FIELD_KEY
        or base64.b64encode(secrets.token_bytes(32)).decode(),
        "ZOUFANG_FIELD_HASH_KEY": settings.ZOUFANG_FIELD_HASH_KEY,
        "ZOUFANG_VAR_DIR": str(var_dir),
    }


def stop_process(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM, then SIGKILL to the process's own group (started with a new session)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def log_tail(path: Path, lines: int = 25) -> str:
    """The end of a log file, for an error message."""
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Server:
    """A running gunicorn: its base URL and the origin the client claims (behind TLS)."""

    port: int
    workers: int
    threads: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def description(self) -> str:
        kind = f"gthread×{self.threads}" if self.threads > 1 else "sync"
        return f"gunicorn {self.workers} workers {kind}, {SERVER_SETTINGS}"


def healthy(port: int) -> bool:
    """Whether /healthz answers 200 (as through the TLS proxy)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(
    environment: dict[str, str],
    folder: Path,
    *,
    workers: int,
    threads: int,
    access_log: bool = False,
) -> Iterator[Server]:
    """Run gunicorn on a free loopback port until the block ends; yield the Server. With
    `access_log`, every request's path, status and time (µs) go to `folder/access.log`."""
    server = Server(port=free_port(), workers=workers, threads=threads, log=folder / "gunicorn.log")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{server.port}",
        f"--workers={workers}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        f"--threads={threads}",
        "--timeout=120",
        "--graceful-timeout=10",
        "--log-level=warning",
        "--error-logfile=-",
        "--no-control-socket",  # its default path is per machine, shared with other servers
    ]
    if access_log:
        command += [
            f"--access-logfile={folder / 'access.log'}",
            "--access-logformat=%(m)s %(U)s %(s)s %(D)s",
        ]
    with server.log.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while not healthy(server.port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not come up:\n{log_tail(server.log)}")
            time.sleep(0.3)
        yield server
    finally:
        stop_process(process, grace=20)


# --- accounts --------------------------------------------------------------------------------


def login_of(officer: Any) -> dict[str, str]:
    """An account as the locustfile takes it."""
    from zoufang.demo.services import DEMO_PASSWORD

    return {
        "username": officer.user.username,
        "password": DEMO_PASSWORD,
        "unit": officer.unit.code,
        "badge": officer.badge_no,
    }


def station_officers(count: int) -> list[dict[str, str]]:
    """`count` different officer logins of station units, spread over the stations.

    The demo city has about 1,300 officers at its small scale; should there be fewer than
    `count`, the missing ones are created for the benchmark through `officer_create`. The
    first-login password change is lifted for these accounts (the demo creates them
    without it; this is a direct update, in the benchmark's throwaway database only).
    """
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from zoufang.core.actors import SYSTEM
    from zoufang.demo.services import DEMO_PASSWORD
    from zoufang.org.models import Officer, Role, Unit, UnitKind, User
    from zoufang.org.services import officer_create

    by_unit: dict[int, list[Any]] = {}
    for officer in (
        Officer.objects.filter(role=Role.OFFICER, unit__kind=UnitKind.STATION, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__code", "pk")
    ):
        by_unit.setdefault(officer.unit_id, []).append(officer)
    chosen: list[Any] = []
    groups = list(by_unit.values())
    for depth in range(max((len(group) for group in groups), default=0)):
        chosen += [group[depth] for group in groups if depth < len(group)]
    chosen = chosen[:count]
    if len(chosen) < count:
        stations = list(Unit.objects.filter(kind=UnitKind.STATION).order_by("code"))
        password_hash = make_password(DEMO_PASSWORD)
        for number in range(len(chosen), count):
            chosen.append(
                officer_create(
                    actor=SYSTEM,
                    username=f"bench{number:04d}",
                    full_name=f"压测民警{number}",
                    unit=stations[number % len(stations)],
                    badge_no=f"9{number:05d}",
                    role=Role.OFFICER,
                    password_hash=password_hash,
                    title="民警",
                    must_change_password=False,
                )
            )
    User.objects.filter(pk__in=[o.user_id for o in chosen]).update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    return [login_of(officer) for officer in chosen]


def admin_login() -> dict[str, str]:
    """The demo's city-office login."""
    from zoufang.org.models import Officer

    return login_of(Officer.objects.select_related("user", "unit").get(user__username="admin"))


# --- how much of the machine was busy with other work -----------------------------------------


def cpu_counters(database_name: str) -> tuple[float, float, dict[int, float], float]:
    """(wall clock, CPU seconds the machine has been busy, CPU seconds of each of this
    benchmark's processes alive now — itself, its children: gunicorn and its workers —, and
    of the PostgreSQL backends of its database; CPU seconds of the children it has waited
    for: the locust runs)."""
    import psutil

    times = psutil.cpu_times()
    busy = times.user + times.nice + times.system + times.irq + times.softirq + times.steal
    me = psutil.Process()
    ours = {process.pid: process for process in (me, *me.children(recursive=True))}
    if database_name:
        for process in psutil.process_iter(["cmdline"]):
            if database_name in " ".join(process.info["cmdline"] or ()):
                ours[process.pid] = process
    seconds: dict[int, float] = {}
    for pid, process in ours.items():
        with contextlib.suppress(psutil.Error):
            own = process.cpu_times()
            seconds[pid] = own.user + own.system
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.monotonic(), busy, seconds, waited.ru_utime + waited.ru_stime


def own_database() -> str:
    """The name PostgreSQL shows in the benchmark's backends' process titles ("" on SQLite)."""
    from django.db import connection

    return str(connection.settings_dict["NAME"]) if connection.vendor == "postgresql" else ""


@contextlib.contextmanager
def cpu_elsewhere(database_name: str) -> Iterator[dict[str, float]]:
    """`with cpu_elsewhere(db) as share: ...`, then `share["percent"]`: the share of the
    machine's CPU (all cores) that went to other processes than the benchmark's meanwhile.
    The machine may be shared; a run with much of it taken is not comparable with a quiet
    one. Approximate: the CPU of a database backend that ended meanwhile (a connection
    recycled) and PostgreSQL's own background work count as "elsewhere"."""
    result: dict[str, float] = {}
    wall, busy, ours, waited = cpu_counters(database_name)
    try:
        yield result
    finally:
        wall_end, busy_end, ours_end, waited_end = cpu_counters(database_name)
        used = waited_end - waited
        used += sum(cpu - ours.get(pid, 0.0) for pid, cpu in ours_end.items())
        available = (wall_end - wall) * (os.cpu_count() or 1)
        others = min(available, max(0.0, (busy_end - busy) - used))
        result["percent"] = round(100 * others / available, 1) if available else 0.0


# --- running locust and reading its report ----------------------------------------------------


@dataclass
class LoadRun:
    """What one locust run reported."""

    entries: dict[str, dict[str, Any]]
    errors: list[dict[str, Any]]
    visits_posted: list[str]
    opinions_posted: list[int]
    opinion_actions: list[str]
    window_seconds: float
    users_arrived: int


def run_locust(
    server: Server,
    folder: Path,
    *,
    user_class: str,
    users: int,
    spawn_rate: float,
    seconds: int,
    config: dict[str, Any],
) -> LoadRun:
    """Run the locustfile's `user_class` headless against the server; return its report.

    With `config["barrier"]` the locustfile itself ends the run `seconds` after the last user
    logged in (`--run-time` is then only a safety net); without, `--run-time` is `seconds`.
    """
    report = folder / f"report-{user_class}.json"
    config_path = folder / f"locust-{user_class}.json"
    config_path.write_text(
        json.dumps(
            {**config, "seconds": seconds, "origin": server.origin, "report": str(report)},
            ensure_ascii=False,
        )
    )
    log_path = folder / f"locust-{user_class}.log"
    command = [
        sys.executable,
        "-m",
        "locust",
        f"--locustfile={LOCUSTFILE}",
        "--headless",
        "--only-summary",
        f"--users={users}",
        f"--spawn-rate={spawn_rate}",
        f"--run-time={seconds + 120 if config.get('barrier') else seconds}s",
        f"--host={server.base_url}",
        "--stop-timeout=60",
        "--loglevel=WARNING",
        user_class,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env={**os.environ, "ZOUFANG_BENCH_LOCUST": str(config_path)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        process.wait(timeout=seconds + 300)
    except subprocess.TimeoutExpired:
        say(f"locust {user_class} overran its time; stopping it")
    finally:
        stop_process(process, grace=10)
    if not report.exists():
        raise SystemExit(f"locust {user_class} wrote no report:\n{log_tail(log_path)}")
    data = json.loads(report.read_text())
    return LoadRun(
        entries={entry["name"]: entry for entry in data["entries"]},
        errors=data["errors"],
        visits_posted=data["visits_posted"],
        opinions_posted=data["opinions_posted"],
        opinion_actions=data["opinion_actions"],
        window_seconds=(data["window"][1] - data["window"][0]) if data["window"][0] else 0.0,
        users_arrived=data["arrived"],
    )


def histogram_percentile(histogram: dict[int, int], fraction: float) -> float:
    """The response time (ms) below which `fraction` of the requests fall, from locust's
    histogram (times rounded to 1 ms below 100 ms, 10 ms below 1 s, 100 ms above)."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    rank = max(1, round(fraction * total))
    seen = 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= rank:
            return float(milliseconds)
    return float(max(histogram))


def summary(entries: list[dict[str, Any]], window_seconds: float) -> dict[str, Any]:
    """Requests, failures, requests/s (over the measuring window) and p50/p95 (ms) of some
    locust entries taken together."""
    histogram: dict[int, int] = {}
    for entry in entries:
        for milliseconds, count in entry["response_times"].items():
            histogram[int(milliseconds)] = histogram.get(int(milliseconds), 0) + count
    requests = sum(e["num_requests"] for e in entries)
    return {
        "requests": requests,
        "failures": sum(e["num_failures"] for e in entries),
        "rps": round(requests / window_seconds, 1) if window_seconds > 0 else 0.0,
        "p50_ms": histogram_percentile(histogram, 0.50),
        "p95_ms": histogram_percentile(histogram, 0.95),
    }


def visits_in_database(tag: str, posted: list[str]) -> dict[str, int]:
    """How many of the posted visits (by their unique target names) are in the ledger, how
    many extra copies there are, and how many rows of this run nobody reported as saved."""
    from django.db.models import Count

    from zoufang.ledger.models import Visit

    counts = dict(
        Visit.objects.filter(target_name__startswith=f"压测{tag}-")
        .values_list("target_name")
        .annotate(n=Count("id"))
        .values_list("target_name", "n")
    )
    wanted = set(posted)
    return {
        "visits_posted": len(posted),
        "visits_found": sum(1 for name in wanted if counts.get(name, 0) >= 1),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1) + len(posted) - len(wanted),
        "visits_unreported": sum(1 for name in counts if name not in wanted),
    }


def error_samples(run: LoadRun, limit: int = 5) -> list[str]:
    """The most frequent failures of a run, as short lines."""
    ordered = sorted(run.errors, key=lambda e: -int(e["occurrences"]))
    return [f"{e['method']} {e['name']}: {e['error']} ×{e['occurrences']}" for e in ordered[:limit]]


# --- the benchmark ---------------------------------------------------------------------------


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--visits", type=int, default=200_000)
    args_parser.add_argument("--seconds", type=int, default=20, help="load per endpoint")
    args_parser.add_argument("--users", type=int, default=20, help="concurrent clients")
    add_server_arguments(args_parser)
    args = args_parser.parse_args()
    stop_on_sigterm()
    setup_django("config.settings.dev")

    from django.db import connection

    from zoufang.campaigns.models import Phase
    from zoufang.demo.services import demo_build

    folder = Path(tempfile.mkdtemp(prefix="zoufang-bench-http-"))
    tag = uuid.uuid4().hex[:6]
    figures: dict[str, Any] = {}
    ratios: dict[str, Any] = {}
    errors = 0
    try:
        with throwaway_database("http", folder) as database_url:
            say(f"building the demo city ({args.visits} visits) on {connection.vendor}")
            with stopwatch() as seeded:
                demo_build(scale="medium" if args.visits > 200_000 else "small", visits=args.visits)
            accounts = {"admin": [admin_login()], "officers": station_officers(args.users)}
            phase = Phase.objects.get(slug="phase-2")
            var_dir = folder / "var"
            collect_static(var_dir)
            environment = server_environment(database_url, var_dir)
            with gunicorn(
                environment,
                folder,
                workers=args.workers,
                threads=args.threads,
                access_log=args.keep,
            ) as srv:
                endpoints: dict[str, dict[str, Any]] = {}
                samples: list[str] = []
                for name, user_class, entry_names in ENDPOINTS:
                    say(f"loading {name} for {args.seconds} s with {args.users} users")
                    with cpu_elsewhere(own_database()) as elsewhere:
                        run = run_locust(
                            srv,
                            folder,
                            user_class=user_class,
                            users=args.users,
                            spawn_rate=args.users,
                            seconds=args.seconds,
                            config={
                                "accounts": accounts,
                                "phase": phase.pk,
                                "tag": tag,
                                "barrier": args.users,
                            },
                        )
                    parts = [run.entries[n] for n in entry_names if n in run.entries]
                    endpoints[name] = summary(parts, run.window_seconds)
                    endpoints[name]["seconds"] = round(run.window_seconds, 1)
                    endpoints[name]["busy_elsewhere_pct"] = elsewhere["percent"]
                    logins = [run.entries[n] for n in LOGIN_ENTRIES if n in run.entries]
                    login_failures = sum(e["num_failures"] for e in logins)
                    if logins:
                        endpoints[name]["login_p95_ms"] = summary(logins, 0)["p95_ms"]
                    if login_failures:
                        endpoints[name]["login_failures"] = login_failures
                    if run.users_arrived < args.users:  # some could not log in
                        endpoints[name]["users_loading"] = run.users_arrived
                    if name == "quick_entry":
                        for part, key in zip(parts, ("form_p95_ms", "save_p95_ms"), strict=False):
                            endpoints[name][key] = summary([part], 0)["p95_ms"]
                        endpoints[name].update(visits_in_database(tag, run.visits_posted))
                    errors += endpoints[name]["failures"] + login_failures
                    samples += error_samples(run)
                    say(f"{name}: {endpoints[name]}")
                if errors:
                    say(f"errors; the server's log ends with:\n{log_tail(srv.log)}")
            ceiling = endpoints["health"]["rps"]
            figures = {
                "database": connection.vendor,
                "visits": args.visits,
                "server": srv.description,
                "client": "locust FastHttpUser, 1 process, same machine",
                "users": args.users,
                "seconds_per_endpoint": args.seconds,
                "seed_seconds": round(seeded["seconds"], 1),
                "errors": errors,
                "endpoints": endpoints,
            }
            if samples:
                figures["error_samples"] = samples[:10]
            ratios = {
                f"{name}_vs_ceiling": round(values["rps"] / ceiling, 3) if ceiling else None
                for name, values in endpoints.items()
                if name != "health"
            }
    finally:
        clean_up(folder, keep=args.keep)
    emit("http", figures, ratios, as_json=args.json)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
