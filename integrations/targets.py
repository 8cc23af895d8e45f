"""SSRF guard for webhook targets: the host is resolved and every address it resolves to must be a
public one (no private, loopback, link-local, cloud-metadata, multicast or reserved address), unless
`WEBHOOK_ALLOW_PRIVATE_TARGETS` is on (the tests' loopback receivers). Checked when a subscription
is saved and again before every attempt (DNS may change in between)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
MSG_SCHEME = "Use an https:// URL."
MSG_SCHEME_DEV = "Use an http:// or https:// URL."
MSG_UNRESOLVED = "The host “{host}” cannot be resolved."
MSG_PRIVATE = "The host “{host}” resolves to {address}, a private, loopback or link-local address: refused."


def _refused(address) -> bool:
    address = ipaddress.ip_address(address)
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return (
        address in METADATA_ADDRESSES
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_target(url: str) -> None:
    """Raise ValidationError({"url": ...}) unless `url` may receive deliveries."""
    parts = urlsplit(url or "")
    allowed_schemes = ("https",) if settings.WEBHOOK_REQUIRE_HTTPS else ("http", "https")
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise ValidationError({"url": MSG_SCHEME if settings.WEBHOOK_REQUIRE_HTTPS else MSG_SCHEME_DEV})
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        raise ValidationError({"url": MSG_UNRESOLVED.format(host=host)})
    for info in infos:
        address = info[4][0].split("%")[0]
        if _refused(address):
            raise ValidationError({"url": MSG_PRIVATE.format(host=host, address=address)})
