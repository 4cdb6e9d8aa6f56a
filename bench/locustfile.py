"""Locust scenarios for the HTTP benchmarks (`bench.http`, `bench.load`); not run on its own.

The benchmark writes a JSON configuration and names it in `ZOUFANG_BENCH_LOCUST`, then runs
`locust -f bench/locustfile.py --headless <UserClass>` against a gunicorn on loopback:

- `config["accounts"]`: `{"admin": [...], "officers": [...]}`, each account
  `{"username", "password", "unit", "badge"}`; every simulated user logs in as the next
  account of its pool (so 100 officers are 100 different logins);
- `config["origin"]`: `https://127.0.0.1:PORT`. The server runs `config.settings.prod`, as
  behind a TLS-terminating proxy: every request says `X-Forwarded-Proto: https` (so no
  redirect to https) and every POST sends that `Origin` (Django's CSRF check for secure
  requests). The users' cookie jars return `Secure` cookies over plain HTTP on loopback
  (`ProxiedCookiePolicy`), so the session and CSRF cookies work as behind the proxy;
- `config["tag"]`: a run tag. Visits recorded through quick entry get the unique target name
  `压测<tag>-<user>-<n>`, so the benchmark can find each of them in the database afterwards;
- `config["report"]`: where, on quitting, this file writes every request entry (with its
  response-time histogram), the errors, and the names of the visits whose POST succeeded
  (a redirect to the new visit's page: that is what "recorded" means to the client);
- `config["barrier"]` and `config["seconds"]`: for throughput runs, the users wait until all
  `barrier` of them are logged in (Argon2 is slow on purpose: logins stay out of the figures),
  then load the endpoint for exactly `seconds` before the run quits; without a barrier the
  window runs from the start of the test to its end (locust's `--run-time`);
- `config["think"]`: `[min, max]` seconds an officer pauses between two actions.

Every response is checked (status, redirect target, expected content); anything else counts
as a failure with a short reason.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VISIT_DATE = re.compile(r'name="visit_date"[^>]*?value="([^"]*)"')
VISIT_LINK = re.compile(r'href="/ledger/visits/(\d+)/"')
OPINION_LINK = re.compile(r'href="/opinions/(\d+)/"')
ACTION_FORM = re.compile(
    r'name="action" value="(\w+)"><input type="hidden" name="version" value="(\d*)"'
)
PROBLEM = re.compile(r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>(.*?)</div>', re.S)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def load_config() -> dict[str, Any]:
    """The benchmark's configuration (empty when the file is only imported, e.g. by a linter)."""
    path = os.environ.get("ZOUFANG_BENCH_LOCUST")
    return json.loads(Path(path).read_text()) if path else {}


CONFIG = load_config()
ORIGIN: str = CONFIG.get("origin", "https://127.0.0.1")
TAG: str = CONFIG.get("tag", "local")
THINK: list[float] = CONFIG.get("think", [1.0, 5.0])
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
POST_HEADERS = {**PROXY_HEADERS, "Origin": ORIGIN, "Referer": ORIGIN + "/"}

user_numbers = itertools.count()
posted_visits: list[str] = []
posted_opinions: list[int] = []
opinion_actions: list[str] = []
arrived: list[str] = []
everyone_in = Event()
window: dict[str, float] = {}


def wait_for_everyone(environment: Any, who: str) -> None:
    """The barrier: the last user to arrive opens the measuring window and sets its end."""
    barrier = int(CONFIG.get("barrier") or 0)
    if not barrier:
        return
    arrived.append(who)
    if len(arrived) >= barrier and not everyone_in.is_set():
        window["started"] = time.time()
        everyone_in.set()
        gevent.spawn_later(float(CONFIG["seconds"]), environment.runner.quit)
    everyone_in.wait(timeout=120)


@events.test_start.add_listener
def window_opens(environment: Any, **kwargs: Any) -> None:
    if not CONFIG.get("barrier"):
        window["started"] = time.time()


@events.test_stop.add_listener
def window_closes(environment: Any, **kwargs: Any) -> None:
    """After the users stopped (each finishes the request it is in: `--stop-timeout`)."""
    window.setdefault("stopped", time.time())


def problem_of(body: str) -> str:
    """The first error message on a re-rendered form, for the failure report."""
    found = PROBLEM.search(body)
    text = re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""
    return text[:160] or "form re-rendered without a visible error"


def redirected_to(response: Any, pattern: str) -> re.Match[str] | None:
    """The match of the redirect target against `pattern`, if the answer is a 302 there."""
    if response.status_code != 302:
        return None
    return re.fullmatch(pattern, response.headers.get("Location", "").split("?")[0])


class ProxiedCookiePolicy(DefaultCookiePolicy):
    """Send `Secure` cookies over our plain-HTTP loopback: we stand in for the TLS proxy."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        return True


class StaffUser(FastHttpUser):
    """A logged-in user of the staff pages; `pool` names the accounts it logs in as."""

    abstract = True
    pool = "officers"
    default_headers = PROXY_HEADERS
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        accounts = CONFIG["accounts"][self.pool]
        self.number = next(user_numbers)
        self.account: dict[str, str] = accounts[self.number % len(accounts)]
        self.sequence = itertools.count(1)
        self.visit_ids: list[str] = []
        self.opinion_ids: list[str] = []
        self.client.cookiejar.set_policy(ProxiedCookiePolicy())
        self.login()
        wait_for_everyone(self.environment, self.account["username"])

    def token(self, body: str) -> str:
        found = CSRF.search(body)
        return found.group(1) if found else ""

    def get_page(self, url: str, name: str) -> str | None:
        """GET a page that must answer 200 (a redirect to the login page is a failure)."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                return None
            response.success()
            return response.text or ""

    def post_form(self, url: str, name: str, data: dict[str, str], expect: str) -> str | None:
        """POST a form; success is a 302 to a URL matching `expect` (the created record):
        then its first group, or "" if it has none; None on failure."""
        with self.client.post(
            url,
            name=name,
            data=data,
            headers=POST_HEADERS,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            found = redirected_to(response, expect)
            if found is None:
                reason = (
                    problem_of(response.text or "")
                    if response.status_code == 200
                    else f"{response.status_code} {response.headers.get('Location', '')}"
                )
                response.failure(reason)
                return None
            response.success()
            return found.group(1) if found.groups() else ""

    def login(self) -> None:
        """Log in through the login page, as a person would (CSRF cookie, then the form)."""
        body = self.get_page("/accounts/login/", "login page")
        data = {
            "csrfmiddlewaretoken": self.token(body or ""),
            "username": self.account["username"],
            "password": self.account["password"],
            "next": "/healthz",
        }
        if self.post_form("/accounts/login/", "login", data, r"/healthz") is None:
            raise StopUser

    def record_visit(self, *, with_opinion: bool = False) -> None:
        """Quick entry: open the form, then save one visit with a unique target name."""
        body = self.get_page("/ledger/visits/new/", "quick entry form")
        if body is None:
            return
        found = VISIT_DATE.search(body)
        today = found.group(1) if found else datetime.datetime.now(SHANGHAI).date().isoformat()
        name = f"压测{TAG}-{self.number:03d}-{next(self.sequence):05d}"
        data = {
            "csrfmiddlewaretoken": self.token(body),
            "visit_date": today,
            "unit": self.account["unit"],
            "officers": self.account["badge"],
            "channel": "in_person",
            "target_type": "resident",
            "target_name": name,
            "phone": f"13{random.randrange(10**9):09d}",
            "id_number": "",
            "address": f"江州市压测路{random.randrange(1, 300)}号",
            "summary": f"走访{name}，了解治安情况，宣传防诈骗知识。",
            "opinions_collected": "0",
            "disputes_mediated": "0",
            "hazards_found": "0",
            "households_helped": "0",
            "donation_amount": "",
            "opinions": f"建议{name}附近路段增设路灯" if with_opinion else "",
            "note": "",
            "save": "",
        }
        saved = self.post_form(
            "/ledger/visits/new/", "quick entry save", data, r"/ledger/visits/\d+/"
        )
        if saved is not None:
            posted_visits.append(name)


class Health(FastHttpUser):
    """The ceiling: the trivial `/healthz` JSON view, anonymous, back to back."""

    default_headers = PROXY_HEADERS
    wait_time = constant(0)

    def on_start(self) -> None:
        wait_for_everyone(self.environment, "anonymous")

    @task
    def health(self) -> None:
        with self.client.get(
            "/healthz", name="health", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200 or b'"ok"' not in (response.content or b""):
                response.failure(f"{response.status_code}")


class LedgerList(StaffUser):
    """The ledger list (first pages, no filter) as the city office: the whole city in scope."""

    pool = "admin"
    wait_time = constant(0)

    @task
    def ledger_list(self) -> None:
        page = random.choice((1, 1, 1, 2, 3))
        self.get_page(f"/ledger/visits/?page={page}", "ledger list")


class QuickEntry(StaffUser):
    """Quick entry by station officers: GET the form, POST a valid visit."""

    wait_time = constant(0)

    @task
    def quick_entry(self) -> None:
        self.record_visit()


class DashboardData(StaffUser):
    """One dashboard JSON view for the demo's phase 2, as the city office."""

    abstract = True
    pool = "admin"
    wait_time = constant(0)
    data_name = "summary"

    @task
    def data(self) -> None:
        url = f"/dashboards/data/{self.data_name}/?phase={CONFIG['phase']}"
        with self.client.get(
            url, name=f"dashboard {self.data_name}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200 or not (response.content or b"").startswith(b"{"):
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")


class DashboardSummary(DashboardData):
    data_name = "summary"


class DashboardTrend(DashboardData):
    data_name = "trend"


class DashboardLeaderboard(DashboardData):
    data_name = "leaderboard"


class StationOfficer(StaffUser):
    """A station officer's working session: the ledger, one visit, quick entry, opinions.

    Reads: the ledger list and a visit from it, the opinion list and an opinion from it, the
    two forms. Writes: saving a visit (one in ten with an opinion raised), registering an
    opinion, and accepting or replying to an opinion assigned to the officer's unit when
    the opinion page offers it.
    """

    wait_time = between(THINK[0], THINK[1])

    def on_start(self) -> None:
        super().on_start()
        gevent.sleep(random.uniform(0, THINK[1]))  # after the barrier: not all at once

    @task(4)
    def browse_ledger(self) -> None:
        body = self.get_page(f"/ledger/visits/?page={random.choice((1, 1, 2))}", "ledger list")
        if body:
            self.visit_ids = VISIT_LINK.findall(body) or self.visit_ids
        if self.visit_ids:
            self.get_page(f"/ledger/visits/{random.choice(self.visit_ids)}/", "visit detail")

    @task(2)
    def quick_entry(self) -> None:
        self.record_visit(with_opinion=random.random() < 0.1)

    @task(3)
    def handle_opinions(self) -> None:
        status = random.choice(("", "", "assigned", "in_progress"))
        body = self.get_page(f"/opinions/?status={status}", "opinion list")
        if body:
            self.opinion_ids = OPINION_LINK.findall(body) or self.opinion_ids
        if not self.opinion_ids:
            return
        pk = random.choice(self.opinion_ids)
        page = self.get_page(f"/opinions/{pk}/", "opinion detail")
        actions = dict(ACTION_FORM.findall(page or ""))
        action = next((a for a in ("accept", "reply") if a in actions), None)
        if action is None or random.random() < 0.5:
            return
        data = {
            "csrfmiddlewaretoken": self.token(page or ""),
            "action": action,
            "version": actions[action],
            "measures": "已安排社区民警上门核实并落实整改。",
            "reply": "您反映的问题已核实处理，感谢您对公安工作的支持。",
        }
        done = self.post_form(f"/opinions/{pk}/act/", "opinion action", data, rf"/opinions/{pk}/")
        if done is not None:
            opinion_actions.append(action)

    @task(1)
    def register_opinion(self) -> None:
        body = self.get_page("/opinions/new/", "opinion form")
        if body is None:
            return
        data = {
            "csrfmiddlewaretoken": self.token(body),
            "origin_unit": self.account["unit"],
            "content": f"群众反映（{TAG}-{self.number}-{next(self.sequence)}）：夜间巡逻偏少，"
            "希望增加巡逻频次。",
            "source": "visit",
            "category": "",
            "submitter_name": "",
            "submitter_phone": "",
            "merge_into": "",
        }
        created = self.post_form("/opinions/new/", "opinion save", data, r"/opinions/(\d+)/")
        if created is not None:
            posted_opinions.append(int(created))


@events.quitting.add_listener
def write_report(environment: Any, **kwargs: Any) -> None:
    """Write the stats, errors and recorded names where the benchmark reads them."""
    path = CONFIG.get("report")
    if not path or environment.runner is None:
        return
    stats = environment.runner.stats
    report = {
        "finished": time.time(),
        "entries": [entry.serialize() for entry in stats.entries.values()],
        "errors": [error.serialize() for error in stats.errors.values()],
        "visits_posted": posted_visits,
        "opinions_posted": posted_opinions,
        "opinion_actions": opinion_actions,
        "window": [window.get("started"), window.get("stopped", time.time())],
        "arrived": len(arrived),
    }
    Path(path).write_text(json.dumps(report, ensure_ascii=False))
