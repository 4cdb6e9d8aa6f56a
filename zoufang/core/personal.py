"""Personal data at rest: authenticated encryption, keyed hashes for search, and masking.

A phone or ID number is stored as three columns: the AES-GCM ciphertext (only the reveal
service decrypts it), an HMAC-SHA256 of the normalised value (exact search, de-duplication)
and the masked form that pages, exports and the API show. See
docs/decisions/0003-personal-data.md.

Keys rotate (`zoufang rotate_field_key`). A ciphertext names the keys it was sealed under:

- `2.<enc key id>.<hash key id>.<base64(nonce‖ciphertext)>`: written now. The encryption
  key id picks the key to decrypt with; the hash key id records which hash key made the
  keyed hash stored beside the ciphertext (the two are always written together), so a run
  of the rotation knows which rows still carry an old hash.
- `1.<base64(nonce‖ciphertext)>`: written before rotation existed; decrypted by trying the
  current key, then the previous ones (GCM authenticates, so a wrong key is refused, never
  mistaken for the right one). The rotation rewrites these in the new format.

A key id is the first 8 hex digits of HMAC-SHA256(key, "zoufang key id"): it names a key
without revealing it, and cannot be mislabelled by hand. The current keys are
`ZOUFANG_FIELD_KEY` / `ZOUFANG_FIELD_HASH_KEY`; keys being rotated away from stay readable
through `ZOUFANG_FIELD_KEYS_PREVIOUS` / `ZOUFANG_FIELD_HASH_KEYS_PREVIOUS` (comma-separated).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHER_VERSION = "2"
LEGACY_VERSION = "1"
NONCE_BYTES = 12


@dataclass(frozen=True)
class Sealed:
    """A personal value ready to store: ciphertext, keyed hash and masked form."""

    cipher: str
    digest: str
    masked: str


EMPTY = Sealed(cipher="", digest="", masked="")


class UnknownKeyError(ValueError):
    """A ciphertext names a key that is neither the current key nor a previous one."""


# --- keys ------------------------------------------------------------------------------


def _decode_key(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes (base64 of 32 random bytes)")
    return key


def key_id(key: bytes) -> str:
    """The public name of a key: 8 hex digits of HMAC-SHA256(key, "zoufang key id")."""
    return hmac.new(key, b"zoufang key id", hashlib.sha256).hexdigest()[:8]


def _key_list(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item and item.strip())


@dataclass(frozen=True)
class KeyRing:
    """The current encryption and hash keys, and the previous ones still readable."""

    enc_id: str
    enc_keys: dict[str, AESGCM]  # id → cipher, the current key first
    hash_id: str
    hash_keys: tuple[bytes, ...]  # the current key first

    @functools.cached_property
    def prefix(self) -> str:
        """How every ciphertext sealed under the current keys begins."""
        return f"{CIPHER_VERSION}.{self.enc_id}.{self.hash_id}."

    @functools.cached_property
    def _hashers(self) -> dict[str, hmac.HMAC]:
        return {}

    def hasher(self, purpose: str) -> hmac.HMAC:
        """HMAC-SHA256 under the current hash key, fed the purpose already (see `_hmac`):
        copied for each value, it saves setting the key up again."""
        base = self._hashers.get(purpose)
        if base is None:
            base = self._hashers[purpose] = hmac.new(
                self.hash_keys[0], purpose.encode() + b"\x00", hashlib.sha256
            )
        return base.copy()

    def current_aead(self) -> AESGCM:
        """The cipher of the current encryption key."""
        return self.enc_keys[self.enc_id]


@functools.lru_cache(maxsize=8)
def _ring(
    field_key: str, previous: tuple[str, ...], hash_key: str, hash_previous: tuple[str, ...]
) -> KeyRing:
    enc_keys: dict[str, AESGCM] = {}
    named = [("ZOUFANG_FIELD_KEY", field_key)]
    named += [(f"ZOUFANG_FIELD_KEYS_PREVIOUS[{n}]", text) for n, text in enumerate(previous)]
    for name, text in named:
        key = _decode_key(name, text)
        kid = key_id(key)
        if kid in enc_keys:
            raise ImproperlyConfigured(f"{name} repeats a key already configured")
        enc_keys[kid] = AESGCM(key)
    hash_keys: list[bytes] = []
    named = [("ZOUFANG_FIELD_HASH_KEY", hash_key)]
    named += [
        (f"ZOUFANG_FIELD_HASH_KEYS_PREVIOUS[{n}]", text) for n, text in enumerate(hash_previous)
    ]
    for name, text in named:
        key = _decode_key(name, text)
        if key in hash_keys:
            raise ImproperlyConfigured(f"{name} repeats a key already configured")
        hash_keys.append(key)
    return KeyRing(
        enc_id=next(iter(enc_keys)),
        enc_keys=enc_keys,
        hash_id=key_id(hash_keys[0]),
        hash_keys=tuple(hash_keys),
    )


def keyring() -> KeyRing:
    """The keys as the settings name them now (cached per distinct setting values)."""
    return _ring(
        settings.ZOUFANG_FIELD_KEY,
        _key_list(getattr(settings, "ZOUFANG_FIELD_KEYS_PREVIOUS", ())),
        settings.ZOUFANG_FIELD_HASH_KEY,
        _key_list(getattr(settings, "ZOUFANG_FIELD_HASH_KEYS_PREVIOUS", ())),
    )


# --- encryption ------------------------------------------------------------------------


def encrypt(plain: str, *, purpose: str, ring: KeyRing | None = None) -> str:
    """Encrypt a value under the current key; `purpose` (e.g. `phone`) is bound to it."""
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.current_aead().encrypt(nonce, plain.encode(), purpose.encode())
    return ring.prefix + base64.b64encode(nonce + sealed).decode()


def _open(aead: AESGCM, body: str, purpose: str) -> str:
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("ciphertext is not valid base64") from exc
    if len(raw) <= NONCE_BYTES:
        raise ValueError("ciphertext is too short")
    try:
        plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
    except InvalidTag as exc:
        raise ValueError("ciphertext does not authenticate") from exc
    return plain.decode()


def decrypt(token: str, *, purpose: str) -> str:
    """Decrypt a value written by `encrypt` for the same purpose, under the current key or
    a previous one; raises ValueError if it was altered or its key is not configured."""
    ring = keyring()
    parts = token.split(".")
    if len(parts) == 4 and parts[0] == CIPHER_VERSION and parts[3]:
        aead = ring.enc_keys.get(parts[1])
        if aead is None:
            raise UnknownKeyError(
                f"ciphertext sealed under key {parts[1]}, which is neither ZOUFANG_FIELD_KEY "
                "nor in ZOUFANG_FIELD_KEYS_PREVIOUS"
            )
        return _open(aead, parts[3], purpose)
    if len(parts) == 2 and parts[0] == LEGACY_VERSION and parts[1]:
        for aead in ring.enc_keys.values():
            try:
                return _open(aead, parts[1], purpose)
            except ValueError:
                continue
        raise ValueError("ciphertext does not authenticate under any configured key")
    raise ValueError("unknown ciphertext format")


def is_current(token: str) -> bool:
    """Whether a stored ciphertext (and the keyed hash beside it) uses the current keys."""
    return not token or token.startswith(keyring().prefix)


# --- keyed hashes ----------------------------------------------------------------------


def _hmac(key: bytes, normalized: str, purpose: str) -> str:
    message = purpose.encode() + b"\x00" + normalized.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def keyed_hash(normalized: str, *, purpose: str, ring: KeyRing | None = None) -> str:
    """HMAC-SHA256 of a normalised value, for exact search without the clear value."""
    digest = (ring or keyring()).hasher(purpose)
    digest.update(normalized.encode())
    return digest.hexdigest()


def keyed_hashes(normalized: str, *, purpose: str) -> list[str]:
    """The keyed hashes a stored value may carry: the current key's first, then those of
    the previous hash keys (rows not yet rotated). Search with `__in` on these."""
    return [_hmac(key, normalized, purpose) for key in keyring().hash_keys]


# --- masking and sealing ---------------------------------------------------------------


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


_MASKED = re.compile(r"\d{3,6}-?\*{3,}[0-9Xx]{4}")  # mask_phone's and mask_id_number's


def is_masked(text: str) -> bool:
    """Whether a phone or ID number is masked as pages and exports show it (`138****5678`,
    `330102********1234`): the full value is not there to be read back."""
    return "*" in text and _MASKED.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class Purpose:
    """A kind of personal value: what its keyed hash is computed over, how it is masked."""

    name: str
    hash_input: Callable[[str], str]
    mask: Callable[[str], str]


PURPOSES: dict[str, Purpose] = {
    "phone": Purpose("phone", lambda value: value.replace("-", ""), mask_phone),
    "id_number": Purpose("id_number", lambda value: value, mask_id_number),
}


def seal(value: str, *, purpose: str, ring: KeyRing | None = None) -> Sealed:
    """Seal a normalised value of a purpose (`phone`, `id_number`) under the current keys
    (`ring`: the keys, when the caller seals many values and has looked them up once)."""
    if not value:
        return EMPTY
    kind = PURPOSES[purpose]
    ring = ring or keyring()
    return Sealed(
        cipher=encrypt(value, purpose=purpose, ring=ring),
        digest=keyed_hash(kind.hash_input(value), purpose=purpose, ring=ring),
        masked=kind.mask(value),
    )


def seal_phone(phone: str, *, ring: KeyRing | None = None) -> Sealed:
    """Seal a normalised phone number (see core.validators.normalize_phone)."""
    return seal(phone, purpose="phone", ring=ring)


def seal_id_number(id_number: str, *, ring: KeyRing | None = None) -> Sealed:
    """Seal a normalised ID-card number (see core.validators.normalize_id_number)."""
    return seal(id_number, purpose="id_number", ring=ring)


def phone_digest(phone: str) -> str:
    """The keyed hash to look a phone number up by (normalise it first)."""
    return keyed_hash(PURPOSES["phone"].hash_input(phone), purpose="phone")


def id_number_digest(id_number: str) -> str:
    """The keyed hash to look an ID number up by (normalise it first)."""
    return keyed_hash(id_number, purpose="id_number")


def phone_digests(phone: str) -> list[str]:
    """Every keyed hash a stored phone number may carry during a key rotation."""
    return keyed_hashes(PURPOSES["phone"].hash_input(phone), purpose="phone")


def id_number_digests(id_number: str) -> list[str]:
    """Every keyed hash a stored ID number may carry during a key rotation."""
    return keyed_hashes(id_number, purpose="id_number")


# --- where sealed values live ----------------------------------------------------------


@dataclass(frozen=True)
class SealedColumns:
    """One sealed value of a model: `<prefix>_cipher`, `<prefix>_hash`, `<prefix>_masked`."""

    model: Any
    prefix: str
    purpose: str

    @property
    def label(self) -> str:
        """`ledger.visit.phone`."""
        return f"{self.model._meta.label_lower}.{self.prefix}"

    @property
    def fields(self) -> tuple[str, str, str]:
        """The three column names."""
        return (f"{self.prefix}_cipher", f"{self.prefix}_hash", f"{self.prefix}_masked")


def sealed_columns(models: Iterable[Any] | None = None) -> list[SealedColumns]:
    """Every sealed value of every installed model: a model declares its own as
    `sealed_fields = {"phone": "phone", ...}` (column prefix → purpose)."""
    if models is None:
        from django.apps import apps

        models = apps.get_models()
    found: list[SealedColumns] = []
    for model in models:
        for prefix, purpose in (getattr(model, "sealed_fields", None) or {}).items():
            if purpose not in PURPOSES:
                raise ImproperlyConfigured(f"{model.__name__}.sealed_fields: no purpose {purpose}")
            found.append(SealedColumns(model=model, prefix=prefix, purpose=purpose))
    return found
