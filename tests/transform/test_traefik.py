import pytest

from kubealign.transform.traefik import (
    IngressPath,
    IngressRule,
    RuleSyntaxError,
    parse_rule,
    parse_traefik_labels,
)


def test_host_and_path_prefix() -> None:
    rules, notes = parse_rule("Host(`api.example.com`) && PathPrefix(`/v1`)")
    assert rules == (IngressRule("api.example.com", (IngressPath("/v1", "Prefix"),)),)
    assert any("string prefix" in n for n in notes)


def test_or_chain_gives_one_rule_per_host() -> None:
    rules, _ = parse_rule("Host(`a.example.com`) || Host(`b.example.com`)")
    assert [r.host for r in rules] == ["a.example.com", "b.example.com"]


def test_v2_multi_argument_host() -> None:
    rules, _ = parse_rule('Host("a.example.com", "b.example.com") && Path(`/health`)')
    assert [r.host for r in rules] == ["a.example.com", "b.example.com"]
    assert rules[0].paths == (IngressPath("/health", "Exact"),)


def test_distribution_over_parentheses() -> None:
    rules, _ = parse_rule("Host(`x.io`) && (PathPrefix(`/api/`) || PathPrefix(`/ws/`))")
    assert rules == (
        IngressRule("x.io", (IngressPath("/api/", "Prefix"), IngressPath("/ws/", "Prefix"))),
    )


def test_unportable_matchers_are_noted_not_silently_dropped() -> None:
    rules, notes = parse_rule("Host(`x.io`) && Header(`X-Canary`, `1`) && !Path(`/admin`)")
    assert rules == (IngressRule("x.io", (IngressPath("/", "Prefix"),)),)
    assert any("Header" in n for n in notes)
    assert any("negated" in n for n in notes)


def test_syntax_error() -> None:
    with pytest.raises(RuleSyntaxError):
        parse_rule("Host(`x.io`")


def test_labels_give_routes_with_tls_and_port() -> None:
    config = parse_traefik_labels(
        {
            "traefik.enable": "true",
            "traefik.http.routers.api.rule": "Host(`api.sophia.ai`) && PathPrefix(`/api`)",
            "traefik.http.routers.api.entrypoints": "websecure",
            "traefik.http.routers.api.tls.certresolver": "letsencrypt",
            "traefik.http.routers.api.middlewares": "strip@docker",
            "traefik.http.middlewares.strip.stripprefix.prefixes": "/api",
            "traefik.http.services.api.loadbalancer.server.port": "8000",
        }
    )
    assert config.exposed
    (route,) = config.routes
    assert route.hosts == ("api.sophia.ai",)
    assert route.tls and route.cert_resolver == "letsencrypt"
    assert route.entrypoints == ("websecure",)
    assert route.service_port == 8000
    assert any("stripprefix" in n for n in route.notes)


def test_disabled_and_tcp_routers() -> None:
    config = parse_traefik_labels(
        {"traefik.enable": "false", "traefik.tcp.routers.pg.rule": "HostSNI(`*`)"}
    )
    assert not config.exposed
    assert any("TCP router" in n for n in config.notes)


def test_label_keys_are_case_insensitive() -> None:
    config = parse_traefik_labels({"Traefik.HTTP.Routers.Web.Rule": "Host(`w.io`)"})
    assert config.routes[0].hosts == ("w.io",)
