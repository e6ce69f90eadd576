"""The webhook address check (`check_url`), refusal by refusal: what a partner is told (the text reaches them in the
422 of PUT /webhook), every class of address a webhook may not reach, that allowing loopback locally relaxes
nothing else, and what the pinned destination keeps of the resolver's answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from credscore_aws.logic import webhooks

PRIVATE = "the host resolves to a private, loopback or link-local address"
HTTPS = "the URL must use https"
NO_RESOLVE = "the host does not resolve"
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1::1"


def _refusal(url: str, addresses: list[str], *, loopback_ok: bool = False) -> str:
    with pytest.raises(webhooks.UnsafeUrl) as refused:
        webhooks.check_url(url, loopback_ok=loopback_ok, resolve=lambda host: list(addresses))
    return str(refused.value)


def _never_asked(host: str) -> list[str]:
    raise AssertionError(f"the resolver was asked for {host!r}: the URL should be refused before any lookup")


# ---------------------------------------------------------------------------------------------- what a partner is told
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://hooks.example:99999/x", "the URL cannot be read"),
        ("https://[::1/x", "the URL cannot be read"),
        ("https://user:pw@hooks.example/x", "credentials in the URL are not accepted"),
        ("https://user@hooks.example/x", "credentials in the URL are not accepted"),  # a name alone is enough
        ("https://:pw@hooks.example/x", "credentials in the URL are not accepted"),  # so is a password alone
        ("https:///x", "the URL has no host"),
        ("https://:443/x", "the URL has no host"),
        ("ftp://hooks.example/x", HTTPS),
        ("file://hooks.example/etc/passwd", HTTPS),
        ("gopher://hooks.example:70/x", HTTPS),
        ("http://hooks.example/x", HTTPS),  # in AWS http is refused before the host is looked up
        ("http://127.0.0.1:8080/x", HTTPS),  # even to loopback: that is the local stack's exception only
    ],
)
def test_a_url_refused_before_any_lookup_says_why(url: str, message: str) -> None:
    with pytest.raises(webhooks.UnsafeUrl) as refused:
        webhooks.check_url(url, loopback_ok=False, resolve=_never_asked)
    assert str(refused.value) == message


def _raises(exc: Exception) -> Callable[[str], list[str]]:
    def resolve(host: str) -> list[str]:
        raise exc

    return resolve


@pytest.mark.parametrize(
    ("url", "resolve"),
    [
        ("https://nowhere.example/x", _raises(OSError(-2, "Name or service not known"))),
        ("https://nowhere.example/x", lambda host: []),
        ("https://" + "a" * 70 + ".example/x", _never_asked),  # a label IDNA cannot encode
    ],
)
def test_a_host_that_does_not_resolve_says_so(url: str, resolve: Callable[[str], list[str]]) -> None:
    with pytest.raises(webhooks.UnsafeUrl) as refused:
        webhooks.check_url(url, loopback_ok=False, resolve=resolve)
    assert str(refused.value) == NO_RESOLVE


def test_http_is_refused_locally_too_when_the_host_is_not_loopback() -> None:
    # Allowed through the scheme check locally, then refused once the answer is known: not loopback.
    assert _refusal("http://hooks.example/x", [PUBLIC_V4], loopback_ok=True) == HTTPS
    assert _refusal("http://hooks.example/x", ["127.0.0.1", PUBLIC_V4], loopback_ok=True) == HTTPS


# ---------------------------------------------------------------------------------------------- address classes
REFUSED = {
    "loopback": ["127.0.0.1", "127.255.255.254", "::1"],
    "link-local (instance metadata)": ["169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0"],
    "private": ["10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::1", "fd00:ec2::254"],
    "shared (carrier-grade NAT)": ["100.64.0.1"],
    # ff0e::1 is global-scope multicast: is_global, and refused all the same
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1"],
    # IPv6 reserved space is_global does not refuse: ::127.0.0.1 is IPv4-compatible, the deprecated form of 127.0.0.1
    "reserved": ["240.0.0.1", "255.255.255.255", "::127.0.0.1", "::a00:1", "4000::1"],
    "unspecified": ["0.0.0.0", "::"],
    "IPv4-mapped IPv6": ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254"],
    # a NAT64 gateway (an IPv6-only subnet's way out) connects to the IPv4 address in the low 32 bits
    "NAT64 of a non-public IPv4": [
        "64:ff9b::a00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::7f00:1",
        "64:ff9b::e000:1",
    ],
    "NAT64 local-use prefix": ["64:ff9b:1::a00:1"],
    "documentation and benchmarking": ["192.0.2.1", "198.18.0.1", "2001:db8::1"],
    "6to4 and Teredo": ["2002:a00:1::", "2001::1"],
}


@pytest.mark.parametrize(
    "address", [pytest.param(a, id=f"{kind}: {a}") for kind, addresses in REFUSED.items() for a in addresses]
)
def test_every_class_of_non_public_address_is_refused(address: str) -> None:
    assert _refusal("https://hooks.example/x", [address]) == PRIVATE
    # one such answer among public ones is enough, wherever it comes
    assert _refusal("https://hooks.example/x", [PUBLIC_V4, address, PUBLIC_V6]) == PRIVATE


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "10.0.0.5", "fd00:ec2::254", "224.0.0.1", "0.0.0.0", "::ffff:10.0.0.1", PUBLIC_V4],
)
def test_allowing_loopback_locally_does_not_let_anything_else_through(address: str) -> None:
    """A loopback answer is skipped, not a reason to stop checking the answers after it."""
    expected = HTTPS if address == PUBLIC_V4 else PRIVATE
    assert _refusal("http://hooks.example/x", ["127.0.0.1", address], loopback_ok=True) == expected
    if address != PUBLIC_V4:
        assert _refusal("https://hooks.example/x", ["::1", address], loopback_ok=True) == PRIVATE


@pytest.mark.parametrize(
    "addresses",
    [
        [PUBLIC_V4],
        [PUBLIC_V6],
        [PUBLIC_V4, PUBLIC_V6],
        ["::ffff:" + PUBLIC_V4],  # IPv4-mapped: judged by its IPv4 address
        [
            "64:ff9b::5db8:d822"
        ],  # NAT64 of 93.184.216.34: how an IPv6-only subnet with DNS64 sees an IPv4 host
        ["64:ff9b::808:808", PUBLIC_V4],  # 8.8.8.8
    ],
)
def test_public_answers_are_accepted_and_kept_in_order(addresses: list[str]) -> None:
    destination = webhooks.check_url(
        "https://hooks.example/x", loopback_ok=False, resolve=lambda host: list(addresses)
    )
    assert destination.addresses == tuple(addresses)


# ---------------------------------------------------------------------------------------------- the answer kept
@pytest.mark.parametrize("zone", ["eth0", "1", "a%b"])
def test_the_pinned_address_is_the_checked_one_without_its_zone(zone: str) -> None:
    """Everything after the first '%' is a zone: the address connected to is the one checked, written plainly."""
    destination = webhooks.check_url(
        "https://hooks.example/x", loopback_ok=False, resolve=lambda host: [f"{PUBLIC_V6}%{zone}"]
    )
    assert destination.addresses == (PUBLIC_V6,)
    assert _refusal("https://hooks.example/x", [f"fe80::1%{zone}"]) == PRIVATE


@pytest.mark.parametrize(
    ("url", "address"), [("http://127.0.0.1:8080/x", "127.0.0.1"), ("http://[::1]:8080/x", "::1")]
)
def test_the_system_resolver_is_asked_for_tcp_addresses(url: str, address: str) -> None:
    """The real `getaddrinfo` (a numeric host: no query leaves the machine), one answer per address."""
    assert webhooks.check_url(url, loopback_ok=True).addresses == (address,)
