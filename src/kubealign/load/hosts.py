"""Hard-coded hosts in literals: which strings are addresses or DNS names at all.

Regular expressions are right here: these scan the *value* of a literal that a real parser
already isolated (a command word, an assignment value, a string constant), they do not
parse a language. Where a host stands (an ssh target, a ``*_HOST=`` value, an ``echo``)
is decided by the loaders (:mod:`kubealign.load.host_positions`); whose host it is, by the
audit (:mod:`kubealign.rules.hosts`).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Iterable

from kubealign.model.artifacts import HostKind, HostRef

_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
_CIDR_SUFFIX = re.compile(r"/\d{1,2}(?!\d)")
_TLDS = (
    "com|net|org|io|dev|ai|app|cloud|co|us|uk|de|fr|eu|nl|ch|se|no|fi|jp|cn|in|br|ca|au|"
    "local|internal|lan|corp|home|intranet|tech|xyz|info|biz|me|tv|cc|ly|site|online"
)
#: Not after ``$``: ``$ENVIRONMENT.example.org`` is a name made of a variable.
_HOSTNAME = re.compile(
    rf"(?<![\w.\-$])((?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS}))(?![\w\-]|\.\w)",
    re.IGNORECASE,
)
#: ``user@`` right before a name, not inside a URL: an e-mail address or an ssh target,
#: which only the position tells apart.
_MAILBOX_HEAD = re.compile(r"[\w.+\-]+@$")
# Registries, package indexes and documentation domains: naming them is not a
# hard-coded deployment target.
PUBLIC_SERVICE_DOMAINS: frozenset[str] = frozenset(
    {
        "github.com",
        "githubusercontent.com",
        "gitlab.com",
        "bitbucket.org",
        "codeberg.org",
        "ssh.dev.azure.com",
        "docker.io",
        "docker.com",
        "ghcr.io",
        "gcr.io",
        "quay.io",
        "pypi.org",
        "npmjs.org",
        "npmjs.com",
        "python.org",
        "ubuntu.com",
        "debian.org",
        "nvidia.com",
        "nvcr.io",
        "example.com",
        "example.org",
        "example.net",
        "k8s.io",
        "kubernetes.io",
        "helm.sh",
        "letsencrypt.org",
        "pkg.dev",
        "mcr.microsoft.com",
        "alpinelinux.org",
    }
)


class AddressKind(enum.Enum):
    """What an IPv4 literal is: a machine, or an address that names no machine to reach."""

    HOST = "host"
    LOCAL = "local"  # loopback, 0.0.0.0, broadcast: this machine or every machine
    NETWORK = "network"  # x.y.z.0 or a CIDR: a range, not a machine
    LINK_LOCAL = "link-local"  # 169.254.0.0/16: cloud metadata, not a deployment
    DOCUMENTATION = "documentation"  # RFC 5737: an example (or a host anonymized as one)
    MULTICAST = "multicast"  # 224.0.0.0/4 and reserved 240.0.0.0/4
    RESOLVER = "public-resolver"  # 8.8.8.8 & co.: a connectivity probe, not the team's host


_DOCUMENTATION = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
_PUBLIC_RESOLVERS = frozenset(
    {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
     "208.67.222.222", "208.67.220.220"}
)  # fmt: skip


def is_ipv4(value: str) -> bool:
    match = _IPV4.fullmatch(value)
    return match is not None and max(int(part) for part in match.groups()) <= 255


def address_kind(value: str, after: str = "") -> AddressKind:
    """The kind of the IPv4 ``value`` (valid octets assumed); ``after`` is the text that
    follows it in its literal (``/16`` makes it a CIDR)."""
    address = ipaddress.ip_address(value)
    octets = [int(part) for part in value.split(".")]
    if octets[0] in {0, 127} or value == "255.255.255.255":
        return AddressKind.LOCAL
    if _CIDR_SUFFIX.match(after) or octets[3] == 0 or octets[3] == 255:
        return AddressKind.NETWORK
    if address.is_link_local:
        return AddressKind.LINK_LOCAL
    if any(address in network for network in _DOCUMENTATION):
        return AddressKind.DOCUMENTATION
    if octets[0] >= 224:  # multicast and the reserved class E
        return AddressKind.MULTICAST
    if value in _PUBLIC_RESOLVERS:
        return AddressKind.RESOLVER
    return AddressKind.HOST


def is_public_service(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in PUBLIC_SERVICE_DOMAINS)


def host_refs(text: str, line: int, column: int, *, mailboxes: bool = False) -> list[HostRef]:
    """Every IPv4 address that may be a machine and every DNS name in ``text``.

    Loopback, networks (``10.0.0.0``, ``172.20.0.0/16``) and broadcast addresses are no
    machine and never reported; a name after ``user@`` outside a URL is reported only with
    ``mailboxes`` (an ssh target's position says it is one; elsewhere it is an e-mail)."""
    found: list[HostRef] = []
    for match in _IPV4.finditer(text):
        value = match.group(0)
        if max(int(part) for part in match.groups()) > 255:
            continue
        kind = address_kind(value, text[match.end() : match.end() + 3])
        if kind in {AddressKind.LOCAL, AddressKind.NETWORK}:
            continue
        at_line, at_column = position(text, match.start(), line, column)
        found.append(HostRef(at_line, at_column, value, HostKind.IPV4))
    for match in _HOSTNAME.finditer(text):
        value = match.group(1).lower()
        start = match.start(1)
        if start and text[start - 1] == "/" and not text.endswith("//", 0, start):
            continue  # a path segment such as ./conf/site.io, not a URL's host
        if is_public_service(value):
            continue
        if not mailboxes and _is_mailbox(text, start):
            continue
        at_line, at_column = position(text, start, line, column)
        found.append(HostRef(at_line, at_column, value, HostKind.HOSTNAME))
    return found


def _is_mailbox(text: str, start: int) -> bool:
    if not _MAILBOX_HEAD.search(text, 0, start):
        return False
    word_start = max(text.rfind(c, 0, start) for c in " \t\n\"'=,;(<") + 1
    return "://" not in text[word_start:start]


def position(text: str, offset: int, line: int, column: int) -> tuple[int, int]:
    """Line and column of ``offset`` in ``text``, which starts at ``line``:``column``."""
    newlines = text.count("\n", 0, offset)
    if newlines == 0:
        return line, column + offset
    return line + newlines, offset - text.rfind("\n", 0, offset)


def merge_hosts(refs: Iterable[HostRef]) -> tuple[HostRef, ...]:
    """One reference per line and host: the strongest role's (then the first column's), so
    an ssh target also seen as a plain word of its line stays an ssh target."""
    best: dict[tuple[int, str], HostRef] = {}
    for ref in refs:
        key = (ref.line, ref.value)
        kept = best.get(key)
        if kept is None or (-ref.role.rank, ref.column) < (-kept.role.rank, kept.column):
            best[key] = ref
    return tuple(sorted(best.values()))
