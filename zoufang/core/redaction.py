"""Keeping personal data out of logs and error reports.

- `mask_personal_text` masks whatever looks like a phone or ID-card number in a text: a run
  of 11 digits or more (full-width too, single spaces or hyphens between them allowed, an ID
  number's final X included) keeps its first three and last four digits (an ID number its
  first six and last four, as pages show it). Shorter numbers (counts, ids, dates, times)
  stay readable.
- `PersonalDataFilter` is a logging filter that every handler in `LOGGING` carries: it
  masks the formatted message (message and arguments), the exception text and the stack.
- `PersonalDataReporterFilter` (DEFAULT_EXCEPTION_REPORTER_FILTER) hides the values of
  personal and secret fields (phone, ID number, names, address, reason, password, token…)
  in the POST and GET data, the frames' local variables and the request's headers of
  Django's error reports, in production and in DEBUG alike.
- `PersonalDataExceptionReporter` (DEFAULT_EXCEPTION_REPORTER) masks the finished report,
  HTML and text, the technical 500 page and the e-mail to ADMINS alike, so a number in an
  exception message, a URL or a local variable does not get through either.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import models
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from pydantic import BaseModel

_DIGIT = r"\d"  # any decimal digit, full-width ones included
_SEPARATOR = r"[ \t\u00a0\u3000\-\u2010-\u2015\uff0d]"
# 11 digits or more with single separators between them, an optional final X (ID numbers),
# taken whole (two numbers written together are masked together).
NUMBER_RE = re.compile(
    rf"(?<![\d])(?:\+|＋)?{_DIGIT}(?:{_SEPARATOR}?{_DIGIT}){{10,}}"
    rf"(?:{_SEPARATOR}?[XxＸｘ])?"
)
_NOT_DIGIT = re.compile(r"[^\dXxＸｘ]")

# Field names whose values never appear in an error report: personal data of the people
# visited and of opinion submitters (numbers, names, addresses, reasons given for a reveal,
# comments), and secrets. Free text (summary, content) stays, its numbers masked.
SENSITIVE_FIELDS = re.compile(
    r"phone|mobile|tel|id_?number|id_?card|身份证|电话|手机|name|姓名|submitter|address|地址|"
    r"reason|comment|pass|pwd|token|secret|key|otp|auth|signature|cookie|session|csrf",
    flags=re.IGNORECASE,
)
CLEANSED = SafeExceptionReporterFilter.cleansed_substitute
LIST_ITEMS = 50  # items of a list a report shows


class _Shown:
    """How a cleansed object appears in a report: its class and its cleansed fields."""

    def __init__(self, name: str, fields: dict[str, Any]) -> None:
        self.name, self.fields = name, fields

    def __repr__(self) -> str:
        inner = ", ".join(f"{key}={value!r}" for key, value in self.fields.items())
        return f"{self.name}({inner})"


def _is_personal(model: Any) -> bool:
    """Records of this model hold personal data (it declares sealed fields: visits,
    opinions), so a report shows only their primary key, not their text."""
    return bool(getattr(model, "sealed_fields", None))


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = _NOT_DIGIT.sub("", text)
    keep = 6 if len(digits) in (15, 18) else 3
    return digits[:keep] + "*" * max(len(digits) - keep - 4, 4) + digits[-4:]


def mask_personal_text(text: str) -> str:
    """The text with every phone-like or ID-like number masked."""
    return NUMBER_RE.sub(_mask_number, text)


class PersonalDataFilter(logging.Filter):
    """Mask phone and ID numbers in a log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: keep what can be kept, masked
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = mask_personal_text(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = mask_personal_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_text(record.stack_info)
        return True


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Django's report filter, also for personal fields, and in DEBUG too."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL", flags=re.I
    )

    def is_active(self, request: HttpRequest | None) -> bool:
        """Always: the technical 500 page of a development copy must not show them either."""
        return True

    def cleanse_field(self, name: Any, value: Any, depth: int = 0) -> Any:
        """A value, or the stars when its name says it is personal or secret; containers,
        dataclasses (VisitInput), schemas and records with sealed fields are opened (three
        levels deep) so their personal parts are hidden too."""
        if isinstance(name, str) and SENSITIVE_FIELDS.search(name):
            return CLEANSED
        if depth > 3:
            return value
        if isinstance(value, MultiValueDict):
            return {key: self.cleanse_field(key, value.getlist(key), depth + 1) for key in value}
        if isinstance(value, Mapping):
            return {key: self.cleanse_field(key, item, depth + 1) for key, item in value.items()}
        if isinstance(value, list | tuple):
            items = [self.cleanse_field("", item, depth + 1) for item in value[:LIST_ITEMS]]
            if len(value) > LIST_ITEMS:
                items.append(f"… {len(value) - LIST_ITEMS} more")
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, type):
            return value
        if dataclasses.is_dataclass(value):
            fields = {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
            return _Shown(type(value).__name__, self.cleanse_field("", fields, depth + 1))
        if isinstance(value, BaseModel):
            return _Shown(type(value).__name__, self.cleanse_field("", dict(value), depth + 1))
        if isinstance(value, models.Model) and _is_personal(type(value)):
            return _Shown(type(value).__name__, {"pk": value.pk})
        if isinstance(value, models.QuerySet) and _is_personal(value.model):
            return _Shown(f"QuerySet of {value.model.__name__}", {})
        return value

    def _cleansed_multivaluedict(self, request: HttpRequest | None, data: Any) -> Any:
        cleansed = data.copy()
        marked = getattr(request, "sensitive_post_parameters", []) if request else []
        for key in list(cleansed.keys()):
            if marked == "__ALL__" or key in marked or SENSITIVE_FIELDS.search(str(key)):
                cleansed.setlist(key, [CLEANSED])
        return cleansed

    def get_cleansed_multivaluedict(self, request: HttpRequest, multivaluedict: Any) -> Any:
        return self._cleansed_multivaluedict(request, multivaluedict)

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None:
            return {}
        return self._cleansed_multivaluedict(request, request.POST)

    def get_query_parameters(self, request: HttpRequest) -> Any:
        """The GET parameters, personal ones hidden (Django shows them as they came)."""
        return self._cleansed_multivaluedict(request, request.GET)

    def cleanse_query_string(self, query: str) -> str:
        """A query string with the values of personal parameters replaced by stars."""
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode(
            [(key, CLEANSED if SENSITIVE_FIELDS.search(key) else value) for key, value in pairs],
            safe="*",
        )

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "REQUEST_URI", "RAW_URI"):
            value = meta.get(key)
            if isinstance(value, str) and value:
                path, mark, query = (
                    value.rpartition("?") if key != "QUERY_STRING" else ("", "", value)
                )
                meta[key] = path + mark + self.cleanse_query_string(query)
        return meta

    def cleanse_special_types(self, request: HttpRequest | None, value: Any) -> Any:
        try:
            if isinstance(value, MultiValueDict):
                return self._cleansed_multivaluedict(request, value)
            return self.cleanse_field("", value)
        except Exception as error:
            return f"{error!r} while cleansing a {type(value).__name__}"

    def get_traceback_frame_variables(self, request: HttpRequest, tb_frame: Any) -> Any:
        return [
            (name, CLEANSED if SENSITIVE_FIELDS.search(name) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


class PersonalDataExceptionReporter(ExceptionReporter):
    """Django's error report with personal fields hidden and numbers masked throughout."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.request is not None and isinstance(self.filter, PersonalDataReporterFilter):
            data["request_GET_items"] = self.filter.get_query_parameters(self.request).items()
            uri, mark, query = str(data.get("request_insecure_uri", "")).partition("?")
            data["request_insecure_uri"] = uri + mark + self.filter.cleanse_query_string(query)
        return data

    def get_traceback_html(self) -> SafeString:
        # Masking only replaces digits with stars: the page stays as safe as Django made it.
        return mark_safe(mask_personal_text(super().get_traceback_html()))

    def get_traceback_text(self) -> SafeString:
        return mark_safe(mask_personal_text(super().get_traceback_text()))
