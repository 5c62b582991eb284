"""One gate for every URL veracity calls (webhooks, response groups, the platform) or links to.

A URL called out to must be http(s), carry no credentials, name its host plainly (no decimal,
hex, octal or shortened IPv4 forms) and resolve only to public addresses, unless its host is
in the explicit allow-list (`OUTBOUND__ALLOW_HOSTS`, for development and tests). The check runs
where a URL is stored (refused with a 422 reason) and again on every request, inside the HTTP
transport: the request then connects to the address that was checked, so a name that resolves
to something else a moment later (DNS rebinding) cannot slip through. Redirects are not
followed; each hop would be checked anyway.

Links a page renders only need the scheme check (`is_web_link`): they are never fetched here.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeGuard

import httpx

from core.errors import Invalid
from core.messages import Msg
from core.settings import Settings

__all__ = [
    "GatedTransport",
    "OutboundPolicy",
    "OutboundRefused",
    "RefusedDestination",
    "gated_client",
    "is_web_link",
    "policy_from",
    "require_web_link",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
MAX_URL_CHARS = 2048
# A label an IPv4 parser (inet_aton) reads as a number: 127.1, 2130706433, 0x7f.1, 0177.0.0.1.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(Invalid, code="outbound_url_refused"):
    """A URL the gate will not call or link to; the message is the reason."""


class RefusedDestination(httpx.TransportError):
    """Raised inside the transport at send time, so callers' network-error handling applies."""


def _bad_characters(url: str) -> bool:
    return any(ord(c) <= 0x20 or c in "\\\x7f" for c in url)


def is_web_link(url: object) -> TypeGuard[str]:
    """True for an absolute http(s) URL a page may render as a link (never javascript:, data:)."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS or _bad_characters(url):
        return False
    if not url.lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(httpx.URL(url).host)
    except (httpx.InvalidURL, ValueError):
        return False


def require_web_link(url: str, field: str) -> str:
    if not is_web_link(url):
        raise OutboundRefused(Msg("{field} must be an http(s) URL", field=field), code="bad_url")
    return url


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


def _blocked(address: IPAddress) -> Msg | None:
    """Why an address may not be called, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _blocked(embedded)
    for reason, hit in (
        (Msg("a loopback address"), address.is_loopback),
        (Msg("an unspecified address"), address.is_unspecified),
        (Msg("a link-local address"), address.is_link_local),
        (Msg("a multicast address"), address.is_multicast),
        (Msg("a private address"), address.is_private),
        (Msg("a reserved address"), address.is_reserved),
    ):
        if hit:
            return reason
    return None if address.is_global else Msg("not a public address")


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str  # ASCII (IDNA) form, lowercase
    allowed: bool  # in the allow-list: called as named, without address checks
    literal: IPAddress | None


@dataclass(frozen=True)
class OutboundPolicy:
    allow_hosts: frozenset[str] = frozenset()
    resolver: Resolver = _system_resolve

    def parse(self, url: str) -> Target:
        if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
            raise OutboundRefused(
                Msg("the URL must be 1 to {max_url_chars} characters", max_url_chars=MAX_URL_CHARS)
            )
        if _bad_characters(url):
            raise OutboundRefused(
                Msg("the URL must not contain spaces, control characters or '\\'")
            )
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii").lower().removesuffix(".")
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
            raise OutboundRefused(Msg("the URL is not valid")) from exc
        if parsed.scheme not in ("http", "https"):
            raise OutboundRefused(Msg("the URL must start with http:// or https://"))
        if parsed.userinfo:
            raise OutboundRefused(Msg("the URL must not carry a user name or password"))
        if not host:
            raise OutboundRefused(Msg("the URL has no host"))
        literal = _literal(host)
        return Target(parsed, host, host in self.allow_hosts, literal)

    def check(self, url: str) -> str:
        """At input: refuse what can be refused now. A name that does not resolve yet is
        accepted here and checked again (like every name) when a request is sent."""
        target = self.parse(url)
        if not target.allowed:
            with contextlib.suppress(_Unresolved):
                self._addresses(target)
        return url

    def pin(self, url: str) -> tuple[Target, IPAddress | None]:
        """At send time: the checked address to connect to (None for an allowed host)."""
        target = self.parse(url)
        if target.allowed:
            return target, None
        try:
            return target, self._addresses(target)[0]
        except _Unresolved as exc:
            raise OutboundRefused(Msg("{host} does not resolve", host=target.host)) from exc

    def _addresses(self, target: Target) -> list[IPAddress]:
        if target.literal is not None:
            found = [target.literal]
        else:
            port = target.url.port or (443 if target.url.scheme == "https" else 80)
            try:
                found = [ipaddress.ip_address(a) for a in self.resolver(target.host, port)]
            except (OSError, UnicodeError, ValueError) as exc:
                raise _Unresolved from exc
            if not found:
                raise _Unresolved
        for address in found:  # every answer must pass, not just the first
            reason = _blocked(address)
            if reason:
                raise OutboundRefused(
                    Msg(
                        "{host} is {reason} ({address})",
                        host=target.host,
                        reason=reason,
                        address=address,
                    )
                )
        return found


class _Unresolved(Exception):
    pass


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    labels = host.split(".")
    if all(_NUMERIC_LABEL.match(label) for label in labels):
        raise OutboundRefused(Msg("{host} is an IP address in a non-standard form", host=host))
    return None


def policy_from(settings: Settings) -> OutboundPolicy:
    return OutboundPolicy(frozenset(h.lower() for h in settings.outbound.allow_hosts))


class GatedTransport(httpx.BaseTransport):
    """Checks each request's URL and connects to the address that passed (the Host header and
    TLS server name stay the original host's)."""

    def __init__(self, policy: OutboundPolicy, inner: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            target, address = self.policy.pin(str(request.url))
        except OutboundRefused as exc:
            raise RefusedDestination(f"refused: {exc.message}", request=request) from exc
        if address is not None and target.literal is None:
            request.url = request.url.copy_with(host=str(address))
            if request.url.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": target.host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def gated_client(
    policy: OutboundPolicy,
    *,
    timeout: float,
    transport: httpx.BaseTransport | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> httpx.Client:
    """An httpx client whose every request passes the gate, and which never follows redirects."""
    return httpx.Client(
        timeout=timeout,
        transport=GatedTransport(policy, transport),
        follow_redirects=False,
        headers=list(headers),
    )
