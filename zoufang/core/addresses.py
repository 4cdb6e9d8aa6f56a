"""The client's address: the one function the audit trail, the rate limits, the login lockout
(django-axes), the API's token throttle and the public pages' limit all key on.

Behind a reverse proxy (the documented nginx, a load balancer) `REMOTE_ADDR` is the proxy's
address, the same for every client; the client's own is in `X-Forwarded-For`, which any
client can also write. So the header is read only as far as it was written by proxies the
deployment names in `ZOUFANG_TRUSTED_PROXIES` (addresses or networks, comma-separated):

- nothing configured, or the request did not come from a named proxy → `REMOTE_ADDR`, the
  header ignored (a client talking to the app server directly cannot choose its address);
- else `X-Forwarded-For` is read from the right (each proxy appends the address it was
  talking to): the first address that is not a named proxy is the client. A hop that is
  no address stops the walk at the last proxy named (a proxy writes addresses; garbage came
  from further left, which the client controls).

Addresses rather than a count of proxies: a count trusts the header of whoever connects, so
a request sent straight to the app server past nginx would choose its own address, and a
count goes wrong silently when the chain changes. docs/deploy.md, "Client addresses".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_proxy_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """The networks of `ZOUFANG_TRUSTED_PROXIES` (each an address or a network in CIDR
    notation); ImproperlyConfigured naming a bad item."""
    networks = []
    for item in items:
        text = item.strip()
        if not text:
            continue
        if text.isdigit():
            raise ImproperlyConfigured(
                f"ZOUFANG_TRUSTED_PROXIES: {text!r} is a number; list the proxies' addresses "
                "or networks (e.g. 127.0.0.1 or 10.0.0.0/24), not how many there are"
            )
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ZOUFANG_TRUSTED_PROXIES: {text!r} is neither an address nor a network"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_proxy_networks(items)


def _address(text: str) -> Address | None:
    """An address as proxies write it (`203.0.113.5`, `2001:db8::1`, `[2001:db8::1]:443`,
    `203.0.113.5:443`), IPv4-mapped IPv6 as IPv4; None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: Any) -> str | None:
    """The client's address: `REMOTE_ADDR`, or behind the trusted proxies the address the
    outermost of them saw (see the module's docstring); None when the server saw none."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "ZOUFANG_TRUSTED_PROXIES", ())))
    peer = _address(remote) if remote else None
    if peer is None:
        return remote
    if not networks or not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break
        peer = address
        if not _trusted(peer, networks):
            break
    return str(peer)
