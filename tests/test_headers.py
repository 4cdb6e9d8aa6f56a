"""Response headers and the content security policy (docs/security.md, "Deployment settings
and headers"): every page denies framing and MIME sniffing, carries the policy, and keeps
to it (no inline script, style or event handler, nothing from another origin); every
answer that may hold personal data is `no-store`.

The production-only settings (HSTS, secure cookies, SSL redirect) are proven by the deploy
check in tests/test_settings.py.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import test_access
from zoufang.bulletins.tests import test_routes as bulletin_access

pytestmark = pytest.mark.django_db

f = test_access.f  # the records the page table is opened with (a pytest fixture)

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response: Any) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: (value[0] if value else "") for name, *value in directives}


def assert_page_headers(response: Any) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = policy_of(response)
    for name, value in POLICY.items():
        assert policy.get(name) == value, (name, response.get("Content-Security-Policy"))
    assert "unsafe" not in response["Content-Security-Policy"]


class PolicyBreaches(HTMLParser):
    """What in a page the policy above would block, or that reaches another origin."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.breaches: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith(("on", "hx-on")):
                self.breaches.append(f"<{tag} {name}=…>: inline event handler")
            if name == "style":
                self.breaches.append(f"<{tag} style=…>: inline style")
            if value and value.strip().lower().startswith("javascript:"):
                self.breaches.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.breaches.append("<style>: inline style sheet")
        if tag == "script":
            self._script, self._script_text = named, ""
        url = named.get("src") or (named.get("href") if tag == "link" else None)
        local = url is not None and url.startswith("/") and not url.startswith("//")
        inline_data = url is not None and url.startswith("data:") and tag in ("img", "link")
        if url and not local and not inline_data:
            self.breaches.append(f"<{tag}> loads {url}: another origin")
        action = named.get("action") or "/"
        if tag == "form" and action.startswith(("http:", "https:", "//")):
            self.breaches.append(f"<form action={action}>: another origin")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            kind = (self._script.get("type") or "").lower()
            code = self._script_text.strip() or kind not in ("", "text/javascript", "module")
            if not self._script.get("src") and kind != "application/json" and code:
                self.breaches.append("<script> with inline code")
            self._script = None


def breaches_of(html: str) -> list[str]:
    parser = PolicyBreaches()
    parser.feed(html)
    return parser.breaches


def test_the_checker_finds_what_the_policy_blocks() -> None:
    page = (
        '<div style="color:red" onclick="x()"></div><style>p{}</style><script>alert(1)</script>'
        '<script src="https://cdn.example/x.js"></script><a href="javascript:x()">x</a>'
        '<img src="data:image/png;base64,AA"><script type="application/json">{}</script>'
        '<script src="/static/app.js"></script><div hx-on:click="x()"></div>'
    )
    assert len(breaches_of(page)) == 7


def html_pages(client: Any, f: Any) -> list[tuple[str, Any]]:
    """Every page of the access table a role gets with 200 and HTML, as that role."""
    pages = []
    for route in test_access.ROUTES:
        if route.method != "get":
            continue
        roles = [role for role in test_access.ROLES if route.expect[role] == 200]
        if not roles:
            continue
        client.force_login(user_of(roles[0]))
        response = client.get(reverse(route.name, kwargs=route.kwargs(f)))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((route.name, response))
    return pages


def user_of(role: str) -> Any:
    from zoufang.org.models import Officer

    usernames = {
        "city_admin": "cityadmin",
        "leader": "leader",
        "inspector": "inspector",
        "unit_admin": "unitadmin",
        "officer": "officer",
    }
    return Officer.objects.get(user__username=usernames[role]).user


def test_every_page_keeps_to_the_policy(client: Client, f: Any) -> None:
    pages = html_pages(client, f)
    assert len(pages) >= 30  # the table's pages, not an empty run
    problems = {
        name: breaches
        for name, response in pages
        if (breaches := breaches_of(response.content.decode()))
    }
    assert not problems
    for _, response in pages:
        assert_page_headers(response)
        assert "no-store" in response["Cache-Control"]


def test_the_bulletin_pages_keep_to_the_policy(city: Any, login: Any) -> None:
    client = login("city_admin")
    names = [
        route.name
        for route in bulletin_access.ROUTES
        if route.method == "get"
        and not route.kwargs.__code__.co_names  # no record needed
        and route.expect["city_admin"] == 200
        and not route.name.endswith("_docx")
    ]
    assert "bulletins:bulletin_list" in names
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert not breaches_of(response.content.decode()), name
        assert_page_headers(response)


def test_public_and_error_pages_keep_to_the_policy(city: Any, f: Any) -> None:
    from zoufang.opinions.models import Opinion

    client = Client()
    token = Opinion.objects.values_list("token", flat=True).first()
    assert token
    pages = {
        reverse("org:login"): 200,
        reverse("public:opinion_create", kwargs={"unit_code": city.station_a.code}): 200,
        reverse("public:survey", kwargs={"unit_code": city.station_a.code}): 200,
        reverse("public:opinion", kwargs={"token": token}): 200,
        "/no-such-page/": 404,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert not breaches_of(response.content.decode()), url
        assert_page_headers(response)


def test_the_second_factor_setup_page_keeps_to_the_policy(city: Any, login: Any) -> None:
    response = login("city_admin").get(reverse("org:two_factor"))
    assert "<svg" in response.content.decode()  # the QR code, inline
    assert not breaches_of(response.content.decode())


def test_personal_answers_are_never_stored(city: Any, login: Any) -> None:
    client = login("officer")
    for url in ("/", "/ledger/visits/", "/api/v1/visits"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    public = Client().get(reverse("public:opinion", kwargs={"token": "x" * 20}))
    assert "no-store" in public["Cache-Control"]  # a citizen's opinion, behind its link
    api = Client().get("/api/v1/visits")
    assert api.status_code == 401 and "no-store" in api["Cache-Control"]
