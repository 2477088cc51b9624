"""The client's address behind trusted reverse proxies (``CADENCE_TRUSTED_PROXIES``)."""

from __future__ import annotations

import ipaddress

from cadence.config import get_settings, parse_networks


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def client_address(*, peer: str, forwarded_for: str | None) -> str:
    """The address a request came from: the TCP peer, unless the peer is a trusted proxy; then
    ``X-Forwarded-For`` is read from the right, skipping trusted proxies, and the first address
    that is not one is the client (whatever a client writes further left is never believed)."""
    networks = parse_networks(get_settings().trusted_proxies)

    def trusted(address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in networks)

    if not forwarded_for or not trusted(peer):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            return hop if _ip(hop) is not None else peer
    return hops[0] if hops else peer
