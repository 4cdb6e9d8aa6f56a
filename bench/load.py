"""Officers at work, over HTTP: `python -m bench.load --seconds S --users U --json`.

A locust scenario (bench/locustfile.py, `StationOfficer`), headless, on loopback, against
the same production-like server as `bench.http` (gunicorn, `config.settings.prod`, on a
throwaway database with the demo city; see bench/http.py for how and why):

- `--users` simulated officers (default 100), each logged in as a *different* officer of a
  station (spread over the stations; created through `officer_create` if the demo city has
  too few), through the login page, `--spawn-rate` a second. The measuring window opens once
  all of them are in (logins are Argon2, slow on purpose; their p95 is reported apart) and
  lasts `--seconds` (default 120).
- Each officer then works with a pause of `--think` seconds (uniform, default 5–15) between
  actions: browse the ledger (the list, then one visit from it; weight 4), record a visit
  through quick entry (the form, then the POST; one in ten raises an opinion; weight 2),
  handle opinions (the list, one opinion, and when the page offers it — the opinion is
  assigned to the officer's unit — accept or reply to it, half the time; weight 3), and
  register an opinion (the form, then the POST; weight 1).
- Every answer is checked (status, redirect target); anything else is a failure.

Figures: `requests` and `failures` over the whole run (logins included), `rps` in the
window, `read_p95_ms` over every GET of a page (lists, details, forms), `write_p95_ms` over
every POST of the work (visits, opinions, opinion actions), `login_p95_ms`, and each request
kind apart. Every visit saved is checked in the database afterwards by its unique target
name: `visits_posted` (saved according to the client: a redirect to the new visit),
`visits_found` (of those, in the ledger), `duplicates` (extra rows) and `visits_unreported`
(rows of this run the client did not count). `ratios.read_p95_vs_target` is the 300 ms target
over the read p95 (≥ 1 meets it). It exits 1 if anything failed or the counts disagree.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.common import emit, parser, setup_django, stopwatch
from bench.http import (
    LOGIN_ENTRIES,
    add_server_arguments,
    clean_up,
    collect_static,
    cpu_elsewhere,
    error_samples,
    gunicorn,
    own_database,
    run_locust,
    say,
    server_environment,
    station_officers,
    stop_on_sigterm,
    summary,
    throwaway_database,
    visits_in_database,
)

READ_TARGET_MS = 300.0
READS = (
    "ledger list",
    "visit detail",
    "quick entry form",
    "opinion list",
    "opinion detail",
    "opinion form",
)
WRITES = ("quick entry save", "opinion save", "opinion action")


def think_range(text: str) -> list[float]:
    """`--think 2,8` → [2.0, 8.0]."""
    low, _, high = text.partition(",")
    values = [float(low), float(high or low)]
    if not 0 <= values[0] <= values[1]:
        raise ValueError(text)
    return values


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--seconds", type=int, default=120, help="the measuring window")
    args_parser.add_argument("--users", type=int, default=100, help="simulated officers")
    args_parser.add_argument("--spawn-rate", type=float, default=10, help="logins started a second")
    args_parser.add_argument("--think", type=think_range, default=[5.0, 15.0], help="MIN,MAX s")
    args_parser.add_argument("--visits", type=int, default=200_000, help="visits of the demo city")
    add_server_arguments(args_parser)
    args = args_parser.parse_args()
    stop_on_sigterm()
    setup_django("config.settings.dev")

    from django.db import connection

    from zoufang.demo.services import demo_build
    from zoufang.opinions.models import Opinion

    folder = Path(tempfile.mkdtemp(prefix="zoufang-bench-load-"))
    tag = uuid.uuid4().hex[:6]
    try:
        with throwaway_database("load", folder) as database_url:
            say(f"building the demo city ({args.visits} visits) on {connection.vendor}")
            with stopwatch() as seeded:
                demo_build(scale="medium" if args.visits > 200_000 else "small", visits=args.visits)
            accounts = {"officers": station_officers(args.users)}
            collect_static(folder / "var")
            environment = server_environment(database_url, folder / "var")
            with gunicorn(
                environment,
                folder,
                workers=args.workers,
                threads=args.threads,
                access_log=args.keep,
            ) as srv:
                say(f"{args.users} officers log in, then work for {args.seconds} s")
                with cpu_elsewhere(own_database()) as elsewhere:
                    run = run_locust(
                        srv,
                        folder,
                        user_class="StationOfficer",
                        users=args.users,
                        spawn_rate=args.spawn_rate,
                        seconds=args.seconds,
                        config={
                            "accounts": accounts,
                            "tag": tag,
                            "barrier": args.users,
                            "think": args.think,
                        },
                    )
                description = srv.description
            checked = visits_in_database(tag, run.visits_posted)
            opinions_found = Opinion.objects.filter(pk__in=run.opinions_posted).count()
            entries = run.entries
            everything = summary(list(entries.values()), run.window_seconds)
            work = [e for name, e in entries.items() if name not in LOGIN_ENTRIES]
            reads = summary([entries[n] for n in READS if n in entries], run.window_seconds)
            writes = summary([entries[n] for n in WRITES if n in entries], run.window_seconds)
            logins = summary([entries[n] for n in LOGIN_ENTRIES if n in entries], 0)
            figures: dict[str, Any] = {
                "database": connection.vendor,
                "visits": args.visits,
                "server": description,
                "client": "locust FastHttpUser, 1 process, same machine",
                "users": args.users,
                "users_working": run.users_arrived,
                "think_seconds": args.think,
                "seconds": round(run.window_seconds, 1),
                "busy_elsewhere_pct": elsewhere["percent"],
                "seed_seconds": round(seeded["seconds"], 1),
                "requests": everything["requests"],
                "failures": everything["failures"],
                "rps": summary(work, run.window_seconds)["rps"],
                "read_p50_ms": reads["p50_ms"],
                "read_p95_ms": reads["p95_ms"],
                "write_p50_ms": writes["p50_ms"],
                "write_p95_ms": writes["p95_ms"],
                "login_p95_ms": logins["p95_ms"],
                "by_request": {
                    name: {k: v for k, v in summary([entry], 0).items() if k != "rps"}
                    for name, entry in sorted(entries.items())
                },
                **checked,
                "opinions_posted": len(run.opinions_posted),
                "opinions_found": opinions_found,
                "opinion_actions": len(run.opinion_actions),
            }
            if run.errors:
                figures["error_samples"] = error_samples(run, limit=10)
            read_p95 = reads["p95_ms"]
            ratios = {
                "read_p95_vs_target": round(READ_TARGET_MS / read_p95, 2) if read_p95 else None
            }
    finally:
        clean_up(folder, keep=args.keep)
    emit("load", figures, ratios, as_json=args.json)
    consistent = (
        checked["visits_found"] == checked["visits_posted"]
        and not checked["duplicates"]
        and not checked["visits_unreported"]
        and opinions_found == len(run.opinions_posted)
    )
    if everything["failures"] or not consistent or run.users_arrived < args.users:
        sys.exit(1)


if __name__ == "__main__":
    main()
