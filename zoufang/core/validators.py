"""Validators shared by the forms, the API and the ledger importer.

Each takes a raw value (a form string, a JSON value or a spreadsheet cell) and returns the
clean value or raises ValidationError with a message that says what is wrong, in the user's
language. The importer adds the row and column.
"""

from __future__ import annotations

import datetime
import operator
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .text import cell_text, squash_spaces, to_halfwidth

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^(0\d{2,3})-(\d{7,8})$")
LANDLINE_DIGITS_RE = re.compile(r"^0\d{9,11}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$"
    ),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
)
BADGE_SEPARATORS = re.compile(r"[、,，;；\s]+")
TRUE_WORDS = frozenset({"是", "y", "yes", "1", "√", "✓", "true", "t"})
FALSE_WORDS = frozenset({"否", "n", "no", "0", "×", "✗", "false", "f"})
MAX_COUNTER = 100_000
MAX_AMOUNT = Decimal("100000000")
CENT = Decimal("0.01")
FLOAT_NOISE = Decimal("0.000001")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("17 digits expected")
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))
    return ID_CHECK_CODES[total % 11]


def parse_date(value: object, *, today: datetime.date | None = None) -> datetime.date:
    """A date cell, or text like 2022-01-05, 2022/1/5, 2022.1.5, 2022年1月5日; not in the future."""
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise ValidationError(
            _("Not a date; write it like 2022-01-05 or format the cell as a date"),
            code="invalid",
        )
    else:
        text = squash_spaces(to_halfwidth(cell_text(value)))
        if not text:
            raise ValidationError(_("Required"), code="required")
        result = _date_from_text(text)
    if result > (today or timezone.localdate()):
        raise ValidationError(_("The date is in the future"), code="future")
    return result


def _date_from_text(text: str) -> datetime.date:
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise ValidationError(
        _("Not a valid date: “%(value)s”; write it like 2022-01-05") % {"value": text[:30]},
        code="invalid",
    )


def normalize_id_number(value: object, *, today: datetime.date | None = None) -> str:
    """An 18-character ID-card number with a valid GB 11643 check digit, upper-case X; its
    birth date not after `today` (default: today here)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValidationError(
            _(
                "The ID number is in a number cell, which keeps only 15 digits; "
                "format the column as text and enter it again"
            ),
            code="number_cell",
        )
    text = to_halfwidth(cell_text(value)).replace(" ", "").upper()
    if not text:
        return ""
    if len(text) != 18:
        raise ValidationError(_("The ID number must have 18 characters"), code="length")
    if not ID_RE.match(text):
        raise ValidationError(
            _("The ID number may only hold digits and a final X"), code="characters"
        )
    try:
        birth = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > (today or timezone.localdate()) or birth.year < 1900:
        raise ValidationError(_("The birth date in the ID number is not valid"), code="birth")
    if id_check_digit(text[:17]) != text[17]:
        raise ValidationError(_("The ID number's check digit is wrong"), code="check_digit")
    return text


def normalize_phone(value: object) -> str:
    """A mobile number `1[3-9]` + 9 digits, or a landline as `0571-88886666`; '' if blank."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_halfwidth(cell_text(value)).replace(" ", "")
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    digits = text.replace("-", "")
    if MOBILE_RE.match(digits):
        return digits
    match = LANDLINE_RE.match(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    if LANDLINE_DIGITS_RE.match(digits):
        area_length = 3 if digits[1] in "12" else 4
        number = digits[area_length:]
        if 7 <= len(number) <= 8:
            return f"{digits[:area_length]}-{number}"
    raise ValidationError(
        _("Not a phone number: write an 11-digit mobile number or a landline like 0571-88886666"),
        code="invalid",
    )


def parse_counter(value: object) -> int:
    """A whole number ≥ 0 (blank is 0)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValidationError(_("Must be a whole number of 0 or more"), code="invalid")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(_("Must be a whole number of 0 or more"), code="invalid")
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = to_halfwidth(cell_text(value)).replace(",", "").replace(" ", "")
        if not text:
            return 0
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise ValidationError(_("Must be a whole number of 0 or more"), code="invalid")
        number = int(text.split(".")[0])
    if number < 0:
        raise ValidationError(_("Must not be negative"), code="negative")
    if number > MAX_COUNTER:
        raise ValidationError(
            _("Too large: at most %(max)s") % {"max": MAX_COUNTER}, code="too_large"
        )
    return number


def parse_amount(value: object) -> Decimal:
    """An amount in yuan ≥ 0 with at most two decimals; `1,234.50元` and `￥12` accepted."""
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool):
        raise ValidationError(_("Not an amount"), code="invalid")
    if isinstance(value, int | float):
        exact = Decimal(str(value))
        amount = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        # A number cell keeps what was typed (12.345 is refused, as the text is), but a
        # formula's binary noise (0.1 + 0.2 = 0.30000000000000004) is rounded away.
        if abs(exact - amount) > FLOAT_NOISE:
            raise ValidationError(_("At most two decimals"), code="decimals")
    else:
        text = to_halfwidth(cell_text(value))
        text = text.replace(",", "").replace(" ", "").removesuffix("元").lstrip("¥￥")
        if not text:
            return Decimal("0.00")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValidationError(_("Not an amount: write it like 1,234.50"), code="invalid")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("Not an amount"), code="invalid") from exc
        if amount != amount.quantize(CENT):
            raise ValidationError(_("At most two decimals"), code="decimals")
        amount = amount.quantize(CENT)
    if amount < 0:
        raise ValidationError(_("Must not be negative"), code="negative")
    if amount > MAX_AMOUNT:
        raise ValidationError(_("Amount too large"), code="too_large")
    return amount


def parse_bool(value: object, *, default: bool = False) -> bool:
    """是/否, Y/N, 1/0, √ (blank is the default)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValidationError(_("Write 是 or 否"), code="invalid")
    text = to_halfwidth(cell_text(value)).strip().lower()
    if not text:
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(_("Write 是 or 否"), code="invalid")


def split_badges(value: object) -> list[str]:
    """Badge numbers separated by 、 , ， ; or spaces, in the order written, without repeats."""
    text = to_halfwidth(cell_text(value))
    seen: dict[str, None] = {}
    for part in BADGE_SEPARATORS.split(text):
        if part:
            seen.setdefault(part.upper(), None)
    return list(seen)


OPINION_SEPARATORS = re.compile(r"[\r\n；;]+")


def split_opinions(value: object, *, max_length: int = 2000) -> tuple[str, ...]:
    """Opinions written one per line or separated by ；, each trimmed and at most 2000 chars."""
    texts = tuple(
        part.strip() for part in OPINION_SEPARATORS.split(cell_text(value)) if part.strip()
    )
    for text in texts:
        if len(text) > max_length:
            raise ValidationError(
                _("Each opinion may have at most %(max)s characters") % {"max": max_length},
                code="max_length",
            )
    return texts


def clean_text(value: object, *, max_length: int, required: bool = False) -> str:
    """Trimmed text of at most `max_length` characters."""
    text = cell_text(value)
    if required and not text:
        raise ValidationError(_("Required"), code="required")
    if len(text) > max_length:
        raise ValidationError(
            _("At most %(max)s characters (this has %(n)s)") % {"max": max_length, "n": len(text)},
            code="max_length",
        )
    return text
