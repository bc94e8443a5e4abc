"""One Service name, one workload (transform/convert/service_names.py).

erlmcp's Swarm stack gave four services ``hostname: "{{.Service.Name}}.{{.Task.Slot}}"``;
sanitised, each claimed a Service called ``service-name-task-slot``, and Helm's apply of the
release failed on the second one. A Swarm template names tasks, not the service; a name that
several services claim, or that is another service's own, is given to none of them."""

from __future__ import annotations

from pathlib import Path

from test_convert import convert as convert_text

from kubealign.actions.convert import ConvertRequest, convert
from kubealign.model.ledger import Disposition

STACK = """
services:
  api:
    image: ghcr.io/acme/api:1.0
    hostname: "{{.Service.Name}}.{{.Task.Slot}}"
    ports: ["8080:8080"]
  cache:
    image: redis:7.4
    hostname: "{{.Service.Name}}.{{.Task.Slot}}"
    ports: ["6379:6379"]
  search:
    image: opensearchproject/opensearch:2.17.0
    ports: ["9200:9200"]
    networks:
      back:
        aliases: [index, api]
  search-replica:
    image: opensearchproject/opensearch:2.17.0
    ports: ["9200:9200"]
    networks:
      back:
        aliases: [index, replica]
networks:
  back: {}
"""


def test_a_swarm_hostname_template_names_tasks_and_gives_no_service(tmp_path: Path) -> None:
    result, values = convert_text(STACK, tmp_path)
    for name in ("api", "cache"):
        assert "service" not in values["services"][name]
        hostname = [e for e in result.ledger.entries if e.service == name and e.key == "hostname"]
        assert [e.disposition for e in hostname] == [Disposition.NOT_CONVERTIBLE]
        assert "names each pod itself" in hostname[0].note


def test_a_name_two_services_claim_or_another_s_own_name_goes_to_none(tmp_path: Path) -> None:
    result, values = convert_text(STACK, tmp_path)
    assert "service" not in values["services"]["search"]  # index (shared), api (api's own)
    assert values["services"]["search-replica"]["service"] == {"aliases": ["replica"]}
    said = sorted((f.message.split(":")[0], f.message.split("'")[3]) for f in result.findings
                  if f.rule == "CNV206")
    assert said == [("service 'search'", "api"), ("service 'search'", "index"),
                    ("service 'search-replica'", "index")]
    where = [(f.path, f.line) for f in result.findings if f.rule == "CNV206"]
    assert all(path and path.endswith("compose.yaml") and line for path, line in where), where


def test_the_rendered_release_has_one_object_per_name(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(STACK, encoding="utf-8")
    outcome = convert(ConvertRequest(out=tmp_path / "out", project_directory=tmp_path,
                                     files=(tmp_path / "compose.yaml",), environ={}))
    names = [(o["kind"], o["metadata"]["name"]) for o in outcome.objects]
    assert len(names) == len(set(names))
    services = {name for kind, name in names if kind == "Service"}
    assert {"api", "cache", "search", "search-replica", "replica"} <= services
    assert not any("task-slot" in name for name in services)
