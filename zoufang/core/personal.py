"""Personal data at rest: authenticated encryption, keyed hashes for search, and masking.

A phone or ID number is stored as three columns: the AES-GCM ciphertext (only the reveal
service decrypts it), an HMAC-SHA256 of the normalised value (exact search, de-duplication)
and the masked form that pages, exports and the API show. See
docs/decisions/0003-personal-data.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHER_VERSION = "1"


@dataclass(frozen=True)
class Sealed:
    """A personal value ready to store: ciphertext, keyed hash and masked form."""

    cipher: str
    digest: str
    masked: str


EMPTY = Sealed(cipher="", digest="", masked="")


def _decode_key(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes (base64 of 32 random bytes)")
    return key


@functools.lru_cache(maxsize=4)
def _aead(key_text: str) -> AESGCM:
    return AESGCM(_decode_key("ZOUFANG_FIELD_KEY", key_text))


@functools.lru_cache(maxsize=4)
def _hash_key(key_text: str) -> bytes:
    return _decode_key("ZOUFANG_FIELD_HASH_KEY", key_text)


def encrypt(plain: str, *, purpose: str) -> str:
    """Encrypt a value; `purpose` (e.g. `phone`) is bound to the ciphertext."""
    nonce = os.urandom(12)
    sealed = _aead(settings.ZOUFANG_FIELD_KEY).encrypt(nonce, plain.encode(), purpose.encode())
    return CIPHER_VERSION + "." + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, purpose: str) -> str:
    """Decrypt a value written by `encrypt` for the same purpose; raises ValueError if altered."""
    version, _, body = token.partition(".")
    if version != CIPHER_VERSION or not body:
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(body)
    try:
        plain = _aead(settings.ZOUFANG_FIELD_KEY).decrypt(raw[:12], raw[12:], purpose.encode())
    except InvalidTag as exc:
        raise ValueError("ciphertext does not authenticate") from exc
    return plain.decode()


def keyed_hash(normalized: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value, for exact search without the clear value."""
    message = purpose.encode() + b"\x00" + normalized.encode()
    return hmac.new(_hash_key(settings.ZOUFANG_FIELD_HASH_KEY), message, hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`; a landline keeps its area code and last four digits."""
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    area, _, number = phone.partition("-")
    if number:
        return f"{area}-****{number[-4:]}"
    return digits[:4] + "****" + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """`330102199001011234` → `330102********1234`."""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def seal_phone(phone: str) -> Sealed:
    """Seal a normalised phone number (see core.validators.normalize_phone)."""
    if not phone:
        return EMPTY
    return Sealed(
        cipher=encrypt(phone, purpose="phone"),
        digest=keyed_hash(phone.replace("-", ""), purpose="phone"),
        masked=mask_phone(phone),
    )


def seal_id_number(id_number: str) -> Sealed:
    """Seal a normalised ID-card number (see core.validators.normalize_id_number)."""
    if not id_number:
        return EMPTY
    return Sealed(
        cipher=encrypt(id_number, purpose="id_number"),
        digest=keyed_hash(id_number, purpose="id_number"),
        masked=mask_id_number(id_number),
    )


def phone_digest(phone: str) -> str:
    """The keyed hash to look a phone number up by (normalise it first)."""
    return keyed_hash(phone.replace("-", ""), purpose="phone")


def id_number_digest(id_number: str) -> str:
    """The keyed hash to look an ID number up by (normalise it first)."""
    return keyed_hash(id_number, purpose="id_number")
