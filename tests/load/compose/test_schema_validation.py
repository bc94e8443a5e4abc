"""Structural validation against the compose-spec schema shipped by check-jsonschema."""

from __future__ import annotations

import pytest

from kubealign.errors import ComposeError
from kubealign.load.compose.schema import check_compose, compose_schema, validate_compose
from kubealign.load.yaml_safe import load_yaml_text

BAD = """\
services:
  web:
    image: nginx
    ports: 80
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
    healthcheck:
      test: 5
    foo: bar
  db:
    image: postgres
    networks: {a: {aliases: 3}}
    depends_on: 7
"""


def messages(text: str) -> list[str]:
    loaded = load_yaml_text(text, path="compose.yaml")
    return [str(v) for v in validate_compose(loaded.data, loaded.sources)]


def test_schema_is_the_draft_2020_12_compose_spec() -> None:
    schema = compose_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "service" in schema["$defs"]


def test_every_violation_says_what_was_expected_where() -> None:
    assert messages(BAD) == [
        "compose.yaml:4: services.web.ports: expected a list, got the number 80",
        "compose.yaml:9: services.web.deploy.resources.reservations.devices.0: "
        "missing required key 'capabilities'",
        "compose.yaml:12: services.web.healthcheck.test: expected a string or a list, "
        "got the number 5",
        "compose.yaml:13: services.web.foo: unknown key 'foo' (not in the Compose specification)",
        "compose.yaml:16: services.db.networks.a.aliases: expected a list, got the number 3",
        "compose.yaml:17: services.db.depends_on: expected a list or a mapping, got the number 7",
    ]


def test_first_violation_is_raised_with_file_and_line() -> None:
    loaded = load_yaml_text(BAD, path="compose.yaml")
    with pytest.raises(ComposeError) as caught:
        check_compose(loaded.data, loaded.sources)
    assert caught.value.path == "compose.yaml"
    assert caught.value.line == 4
    assert str(caught.value).startswith("compose.yaml:4:")


def test_valid_files_pass() -> None:
    good = """\
version: "3.8"
x-common: &common
  restart: unless-stopped
services:
  api:
    <<: *common
    image: ghcr.io/acme/api:1.2
    ports: ["8080:80", {target: 9090, published: "9090", protocol: tcp}]
    deploy:
      replicas: ${REPLICAS:-2}
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
    gpus: all
    x-team: ml
"""
    assert messages(good) == []


def test_unknown_top_level_key_and_bad_condition() -> None:
    text = """\
services:
  web:
    image: nginx
    depends_on:
      db:
        condition: sometimes
servics: {}
"""
    found = messages(text)
    assert "compose.yaml:7: servics: unknown key 'servics' (not in the Compose specification)" in (
        found
    )
    assert any("depends_on.db.condition: expected one of service_started" in m for m in found)
