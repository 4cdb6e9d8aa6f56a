"""Every benchmark, one table: `python -m bench` (what `make bench` runs).

Starts the local PostgreSQL as CI does (when DATABASE_URL is not set and `pg_ctlcluster`
exists), then runs each benchmark under `bench/` as its own process —
`python -m bench.<name> ... --json` — on SQLite and/or PostgreSQL, at a scale that finishes
within about 15 minutes on a 2-core machine. The last line of each run is its JSON result;
all of them go to `bench/results.json`, and a readable table is printed.

`--only name[,name]` runs some of them; `--quick` shrinks every scale (a smoke test).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"
PG_DATABASE = "zoufang_bench"


@dataclass(frozen=True)
class Run:
    """One benchmark run: module, arguments (full and quick), database."""

    name: str
    args: tuple[str, ...]
    quick: tuple[str, ...]
    database: str  # "sqlite" or "postgresql"


RUNS = (
    Run("plans", ("--plans", "2000"), ("--plans", "300", "--queries", "10"), "sqlite"),
    Run(
        "import_ledger",
        ("--rows", "100000"),
        ("--rows", "3000", "--baseline-rows", "300"),
        "sqlite",
    ),
    Run(
        "import_ledger",
        ("--rows", "100000", "--baseline-rows", "2000"),
        ("--rows", "3000", "--baseline-rows", "300"),
        "postgresql",
    ),
    Run("dashboard", ("--visits", "200000"), ("--visits", "5000", "--repeat", "5"), "postgresql"),
    Run("scale", ("--visits", "1000000"), ("--visits", "60000", "--repeat", "5"), "postgresql"),
    Run("http", (), ("--visits", "5000", "--seconds", "5"), "postgresql"),
    Run("load", (), ("--seconds", "15", "--users", "10", "--visits", "5000"), "postgresql"),
)


def start_postgresql() -> str:
    """DATABASE_URL of a PostgreSQL database for the benchmarks, starting the cluster."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return os.environ["DATABASE_URL"]
    if shutil.which("pg_ctlcluster"):
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False, capture_output=True)
        if os.geteuid() == 0:
            subprocess.run(
                ["su", "postgres", "-c", "createuser -s root"], check=False, capture_output=True
            )
    subprocess.run(["createdb", PG_DATABASE], check=False, capture_output=True)
    return f"postgres:///{PG_DATABASE}"


def run_one(run: Run, *, quick: bool, postgres_url: str) -> dict[str, Any]:
    """Run one benchmark in its own process; its JSON result (or the failure)."""
    env = dict(os.environ)
    if run.database == "postgresql":
        env["DATABASE_URL"] = postgres_url
    else:
        env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", f"bench.{run.name}", *(run.quick if quick else run.args)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True)
    seconds = round(time.perf_counter() - started, 1)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {
            "bench": run.name,
            "database": run.database,
            "error": (done.stderr or done.stdout)[-2000:],
            "seconds": seconds,
        }
    result: dict[str, Any] = json.loads(lines[-1])
    result.setdefault("figures", {})["database"] = run.database
    result["seconds"] = seconds
    result["command"] = " ".join(["python", "-m", f"bench.{run.name}", *command[3:], "--json"])
    return result


def table(results: list[dict[str, Any]]) -> str:
    """The readable table: one line per run, its headline figures and every ratio."""
    headline = (
        "rows_per_second",
        "p95_ms",
        "seed_seconds",
        "worst_p95_ms",
        "seconds_all_pairs",
        "read_p95_ms",
        "failures",
    )
    out = [f"{'benchmark':<16}{'database':<12}{'time':>8}  figures / ratios"]
    for result in results:
        name, database = result["bench"], result.get("figures", {}).get("database", "")
        if "error" in result:
            out.append(f"{name:<16}{result['database']:<12}{result['seconds']:>7}s  FAILED")
            continue
        figures = result["figures"]
        shown = [f"{key}={figures[key]}" for key in headline if key in figures]
        shown += [f"{key}={value}" for key, value in result["ratios"].items()]
        out.append(f"{name:<16}{database:<12}{result['seconds']:>7}s  " + ", ".join(shown))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="small scales (a smoke test)")
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    runs = [run for run in RUNS if not wanted or run.name in wanted]
    postgres_url = start_postgresql()
    results = []
    for run in runs:
        print(f"… {run.name} on {run.database}", flush=True)
        results.append(run_one(run, quick=args.quick, postgres_url=postgres_url))
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                "quick": args.quick,
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    print(table(results))
    print(f"written to {RESULTS}")
    if any("error" in result for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
