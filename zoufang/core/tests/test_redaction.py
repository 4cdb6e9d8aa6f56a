"""No personal data in logs or error reports: the log filter, the report filter and reporter.

The request tests route to `failing_visit_view` below (this module is their URLconf): it
fails the way a service can, with the visit's numbers in its locals and its message.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.views.debug import technical_500_response

from zoufang.core.redaction import (
    CLEANSED,
    PersonalDataFilter,
    PersonalDataReporterFilter,
    mask_personal_text,
)

PHONE = "13812345678"
SPACED_PHONE = "139 8765 4321"
ID_NUMBER = "11010519491231002X"
NAME = "张秀英"
ADDRESS = "江州市人民路88号"
DATABASE_URL = "postgres://zoufang:db-Passw0rd@db/zoufang"
SECRETS = (PHONE, "13987654321", SPACED_PHONE, ID_NUMBER, NAME, ADDRESS, "s3cret-Passw0rd")


@dataclass(frozen=True)
class Row:
    """Stands for ledger.services.VisitInput: a dataclass with the clear values."""

    target_name: str
    phone: str
    id_number: str
    address: str
    summary: str


def failing_visit_view(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    row = Row(
        target_name=source.get("target_name", ""),
        phone=source.get("phone", ""),
        id_number=source.get("id_number", ""),
        address=source.get("address", ""),
        summary=source.get("summary", ""),
    )
    fields = {"phone": row.phone, "name": row.target_name}
    contact = row.summary
    raise ValueError(f"could not save the visit of {row.phone} ({contact}) {len(fields)}")


urlpatterns = [path("visits/fail/", failing_visit_view)]
POST = {
    "target_name": NAME,
    "phone": PHONE,
    "id_number": ID_NUMBER,
    "address": ADDRESS,
    "summary": f"本人电话 {SPACED_PHONE}",
    "password": "s3cret-Passw0rd",
    "opinions_collected": "2",
}


def assert_clean(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"personal data in the output: {leaked}"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (root logger) writes."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    yield stream
    handler.setStream(previous)  # type: ignore[attr-defined]


# --- masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678，", "电话138****5678，"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
        ("+86 138 1234 5678", "861******5678"),
        ("身份证11010519491231002X。", "身份证110105********002X。"),
        ("110105 19491231 002x", "110105********002x"),
        ("旧证110105491231002", "旧证110105*****1002"),
        ("0571-88886666", "057*****6666"),
        ("1381234567813912345678", "138***************5678"),
    ],
)
def test_numbers_that_look_personal_are_masked(text: str, masked: str) -> None:
    assert mask_personal_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "visit 1234 imported 120 rows in 2.5 s",
        "2022-01-05 10:30:00 unit JZ0101",
        "amount 1,200,000.50 元",
        "88886666",
        "138****5678",
    ],
)
def test_ordinary_numbers_stay_readable(text: str) -> None:
    assert mask_personal_text(text) == text


def record(msg: str, *args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("zoufang.test", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_log_filter_masks_message_arguments_and_exception() -> None:
    try:
        raise ValueError(f"bad id {ID_NUMBER}")
    except ValueError as error:
        caught = error
    entry = record("visit %s phone %s data %r", 7, SPACED_PHONE, {"id": ID_NUMBER}, exc=caught)
    assert PersonalDataFilter().filter(entry) is True
    output = logging.Formatter("%(message)s").format(entry)
    assert_clean(output)
    assert "visit 7 phone 139****4321" in output and "110105********002X" in output
    assert "ValueError: bad id 110105********002X" in output


def test_the_log_filter_survives_a_broken_format() -> None:
    entry = record("%s and %s", PHONE)
    PersonalDataFilter().filter(entry)
    assert_clean(entry.getMessage())


def test_every_configured_handler_masks() -> None:
    """LOGGING lists the filter on every handler, and Django's own loggers use only them."""
    handlers = cast(dict[str, dict[str, Any]], django_settings.LOGGING["handlers"])
    assert handlers and all("personal_data" in h.get("filters", []) for h in handlers.values())
    live = {
        handler
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    }
    assert live, "no handler configured"
    unmasked = [h for h in live if not any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert not unmasked, unmasked


# --- a request that fails -----------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_failing_request_logs_no_personal_data(console: io.StringIO) -> None:
    response = Client(raise_request_exception=False).post("/visits/fail/", POST)
    assert response.status_code == 500
    output = console.getvalue()
    assert "Internal Server Error: /visits/fail/" in output
    assert "ValueError: could not save the visit of 138****5678 (本人电话 139****4321)" in output
    assert_clean(output)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_error_mail_to_admins_carries_no_personal_data(settings: Any) -> None:
    settings.ADMINS = [("值班", "ops@example.gov.cn")]
    response = Client(raise_request_exception=False).post(
        f"/visits/fail/?phone=13987654321&target_name={quote(NAME)}&page=2", POST
    )
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    report = str(message.subject) + str(message.body)
    assert "ValueError" in report and "could not save the visit of 138****5678" in report
    assert "opinions_collected = '2'" in report  # ordinary fields stay for debugging
    assert f"phone = '{CLEANSED}'" in report and f"target_name = '{CLEANSED}'" in report
    assert "page = '2'" in report
    assert_clean(report)
    assert quote(NAME) not in report  # nor in the URL or QUERY_STRING


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_the_technical_500_page_carries_no_personal_data(settings: Any, accept: str) -> None:
    settings.DEBUG = True
    response = Client(raise_request_exception=False).post(
        "/visits/fail/?id_number=" + ID_NUMBER, POST, headers={"Accept": accept}
    )
    assert response.status_code == 500
    page = response.content.decode()
    assert "could not save the visit of 138****5678" in page
    assert "opinions_collected" in page and "target_name" in page
    if accept == "text/html":
        assert "Row(target_name=" in page  # the locals are shown, their personal parts hidden
    assert_clean(page)


def service_failing_with(data: Row, items: list[Row]) -> None:
    """A service's frame holding the row, alone and in a list."""
    raise RuntimeError("failed")


def test_frame_variables_and_settings_are_cleansed(settings: Any) -> None:
    settings.DATABASE_URL = DATABASE_URL
    request = RequestFactory().post("/visits/fail/", POST)
    row = Row(NAME, PHONE, ID_NUMBER, ADDRESS, "ok")
    try:
        service_failing_with(row, [row])
    except RuntimeError:
        exc_info = sys.exc_info()
    page = technical_500_response(request, *exc_info).content.decode()
    assert_clean(page)
    assert DATABASE_URL not in page
    assert page.count("Row(target_name=&#x27;********************&#x27;") >= 2
    filter_ = PersonalDataReporterFilter()
    assert filter_.get_post_parameters(request)["opinions_collected"] == "2"
    assert filter_.get_post_parameters(request)["password"] == CLEANSED
