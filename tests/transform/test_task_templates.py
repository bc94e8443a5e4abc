"""Swarm's task templates in environment values become the pod's own fields.

erlmcp's swarm file sets ``ERLMCP_NODE_NAME=core-{{.Task.Slot}}``: passed on as text, every
replica called itself ``core-{{.Task.Slot}}``, silently. Now each placeholder a pod field
holds is read with the downward API (``fieldEnv``, rendered first) and referenced as
``$(VAR)``; what no field holds is reported and left as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubealign.actions.convert import ConvertRequest, convert
from kubealign.model.ledger import Disposition
from kubealign.transform.convert.task_templates import expand_task_templates

STACK = """
services:
  core:
    image: ghcr.io/acme/core:1.0
    environment:
      - NODE_NAME=core-{{.Task.Slot}}@{{.Node.Hostname}}
      - TASK={{ .Task.Name }}
      - SERVICE={{.Service.Name}}
      - LABELS={{.Service.Labels}}
      - PLAIN=$$(not a reference)
    deploy: {replicas: 3}
  db:
    image: postgres:16
    environment:
      - NODE=db-{{.Task.Slot}}
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data: {}
"""


def test_each_placeholder_becomes_a_field_reference() -> None:
    done = expand_task_templates({"A": "core-{{.Task.Slot}}", "B": "x"}, "core", stateful=True)
    assert done.env == {"A": "core-$(KUBEALIGN_POD_INDEX)", "B": "x"}
    assert done.field_env == {
        "KUBEALIGN_POD_INDEX": "metadata.labels['apps.kubernetes.io/pod-index']"}
    apart = expand_task_templates({"A": "core-{{.Task.Slot}}"}, "core", stateful=False)
    assert apart.env == {"A": "core-$(KUBEALIGN_POD_NAME)"}
    assert apart.field_env == {"KUBEALIGN_POD_NAME": "metadata.name"}


def _container(outcome: Any, name: str) -> dict[str, Any]:
    workload = next(o for o in outcome.objects if o["kind"] in ("Deployment", "StatefulSet")
                    and o["metadata"]["name"] == name)
    container: dict[str, Any] = workload["spec"]["template"]["spec"]["containers"][0]
    return container


def test_the_rendered_pods_read_their_own_fields(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(STACK, encoding="utf-8")
    outcome = convert(ConvertRequest(out=tmp_path / "out", project_directory=tmp_path,
                                     files=(tmp_path / "compose.yaml",), environ={}))
    assert outcome.invalid == ()  # rendered by Helm, strict schemas
    env = _container(outcome, "core")["env"]
    names = [e["name"] for e in env]
    fields = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in env
              if "valueFrom" in e}
    values = {e["name"]: e.get("value") for e in env if "value" in e}
    assert fields == {"KUBEALIGN_NODE_NAME": "spec.nodeName",
                      "KUBEALIGN_POD_NAME": "metadata.name"}
    # Defined before every variable that refers to them ($(VAR) sees only earlier ones).
    assert max(names.index(n) for n in fields) < min(names.index(n) for n in values)
    assert values["NODE_NAME"] == "core-$(KUBEALIGN_POD_NAME)@$(KUBEALIGN_NODE_NAME)"
    assert values["TASK"] == "$(KUBEALIGN_POD_NAME)"
    assert values["SERVICE"] == "core"
    assert values["LABELS"] == "{{.Service.Labels}}"
    assert values["PLAIN"] == "$$(not a reference)"
    db = _container(outcome, "db")["env"]
    assert {e["name"]: e.get("value") for e in db}["NODE"] == "db-$(KUBEALIGN_POD_INDEX)"
    ledger = {(e.service, e.key): e for e in outcome.ledger.entries}
    assert ledger[("core", "environment.NODE_NAME")].disposition is Disposition.APPROXIMATED
    assert ledger[("core", "environment.LABELS")].disposition is Disposition.NOT_CONVERTIBLE


def test_the_semantic_check_reads_a_field_reference_as_the_placeholder_it_replaced() -> None:
    from kubealign.validate.semantic import _same_text

    fields = frozenset({"KUBEALIGN_POD_NAME"})
    assert _same_text("core-$(KUBEALIGN_POD_NAME)", "core-{{.Task.Slot}}", frozenset(), fields)
    # Not any text: the placeholder's place, and only for a pod-field variable.
    assert not _same_text("core-$(KUBEALIGN_POD_NAME)", "core-1", frozenset(), fields)
    assert not _same_text("core-$(OTHER)", "core-{{.Task.Slot}}", frozenset(), fields)
