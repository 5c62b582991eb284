"""The outbound gate: what it refuses, the allow-list, no redirects, and the send-time check."""

from __future__ import annotations

import httpx
import pytest

from core.messages import Msg
from core.outbound import (
    OutboundPolicy,
    OutboundRefused,
    RefusedDestination,
    gated_client,
    is_web_link,
)
from pipeline.platform_client import (
    EnforcementRequest,
    HttpPlatformClient,
    PermanentPlatformError,
    TransientPlatformError,
)
from review_ui import i18n

LOCAL = OutboundPolicy(frozenset({"127.0.0.1", "localhost"}))
STRICT = OutboundPolicy()

REFUSED = [
    "http://127.0.0.1:8000/hook",  # loopback, not allow-listed under STRICT
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.1/hook",
    "http://172.16.0.1/hook",
    "http://100.64.0.1/hook",  # shared address space
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://2130706433/hook",  # decimal
    "http://0x7f000001/hook",  # hex
    "http://0x7f.0.0.1/hook",
    "http://0177.0.0.1/hook",  # octal
    "http://127.1/hook",  # shortened
    "http://[::ffff:127.0.0.1]/hook",  # IPv6-mapped
    "http://[::ffff:a9fe:a9fe]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address
    "http://93.184.216.34@127.0.0.1/hook",  # userinfo tricks
    "http://user:pw@93.184.216.34/hook",
    "http://93.184.216.34\\@127.0.0.1/hook",
    "ftp://93.184.216.34/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://93.184.216.34/a b",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_loopback_or_obfuscated_destination_is_refused_with_a_reason(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check(url)
    assert refused.value.status == 422 and refused.value.message


def test_the_allow_list_lets_named_hosts_through_and_nothing_else() -> None:
    assert LOCAL.check("http://127.0.0.1:8000/hook") == "http://127.0.0.1:8000/hook"
    assert LOCAL.check("http://localhost:8000/hook")
    for sneaky in ("http://2130706433/", "http://127.0.0.2/", "http://[::1]/"):
        with pytest.raises(OutboundRefused):
            LOCAL.check(sneaky)
    assert STRICT.check("https://93.184.216.34/hook")  # a public address needs no allowing


def test_a_name_is_checked_again_at_send_time_and_the_checked_address_is_used() -> None:
    answers = iter([["93.184.216.34"], ["93.184.216.34"], ["127.0.0.1"]])
    policy = OutboundPolicy(resolver=lambda host, port: next(answers))
    seen: list[httpx.Request] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    url = policy.check("https://hooks.test/in")  # resolves to a public address: accepted
    with gated_client(policy, timeout=2, transport=httpx.MockTransport(platform)) as client:
        assert client.post(url).status_code == 204
        with pytest.raises(RefusedDestination, match="loopback"):  # rebound to loopback
            client.post(url)
    assert len(seen) == 1
    assert seen[0].url.host == "93.184.216.34"  # connected to the address that was checked
    assert seen[0].headers["host"] == "hooks.test"
    assert seen[0].extensions["sni_hostname"] == "hooks.test"


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    policy = OutboundPolicy(resolver=lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(OutboundRefused, match="private"):
        policy.check("https://hooks.test/in")


def test_a_redirect_is_not_followed(redirecting: tuple[str, list[str]]) -> None:
    base, hits = redirecting
    with gated_client(LOCAL, timeout=2) as client:
        assert client.post(f"{base}/go").status_code == 302
    assert hits == ["/go"]


def _request() -> EnforcementRequest:
    return EnforcementRequest("a1", "p1", "remove", {}, "key-1")


def test_the_platform_client_is_gated_and_shows_a_refusals_status_not_its_body(
    redirecting: tuple[str, list[str]],
) -> None:
    base, hits = redirecting
    with pytest.raises(OutboundRefused):
        HttpPlatformClient(f"{base}/target", outbound=STRICT)
    with pytest.raises(PermanentPlatformError) as refused:
        HttpPlatformClient(f"{base}/target", outbound=LOCAL).enforce(_request())
    assert str(refused.value) == "platform refused with 400"
    with pytest.raises(PermanentPlatformError, match="302"):
        HttpPlatformClient(f"{base}/go", outbound=LOCAL).enforce(_request())
    assert hits == ["/target", "/go"]  # the redirect was not followed


def test_the_platform_client_refuses_at_send_time_when_the_name_is_rebound() -> None:
    answers = iter([["93.184.216.34"], ["169.254.169.254"]])
    policy = OutboundPolicy(resolver=lambda host, port: next(answers))
    client = HttpPlatformClient("https://platform.test/takedowns", outbound=policy)
    with pytest.raises(TransientPlatformError, match="link-local"):
        client.enforce(_request())


@pytest.mark.parametrize(
    ("url", "linkable"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("/relative", False),
        ("https://", False),
    ],
)
def test_only_absolute_http_urls_are_links(url: str, linkable: bool) -> None:
    assert is_web_link(url) is linkable


@pytest.mark.parametrize(
    ("url", "chinese_reason"),
    [("http://127.0.0.1/hook", "环回地址"), ("http://10.1.2.3/hook", "私有地址")],
)
def test_why_an_address_is_refused_reads_in_chinese_too(url: str, chinese_reason: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check(url)
    message = refused.value.message
    assert isinstance(message, Msg)
    chinese = message.render(i18n.LANGUAGE[i18n.CHINESE].translations.gettext)
    assert chinese_reason in chinese, chinese
    assert "address" not in chinese, chinese
