"""Compose labels become annotations the API server accepts (keys are qualified names)."""

from __future__ import annotations

from pathlib import Path

from test_convert import convert

from kubealign.model.ledger import Disposition
from kubealign.transform.convert.annotations import as_annotations, qualified_key


def test_keys_are_trimmed_and_the_invalid_ones_dropped() -> None:
    assert qualified_key("APP ") == "APP"
    assert qualified_key("com.example/tier") == "com.example/tier"
    assert qualified_key("my label") is None
    assert qualified_key("a/b/c") is None
    assert qualified_key("Example.com/x") is None  # a prefix is a lower-case DNS subdomain
    assert qualified_key("x" * 64) is None
    found = as_annotations({"APP ": " REST_SERVICE", "team": " keeps its spaces ",
                            "my label": "x"})
    assert found.values == {"APP": "REST_SERVICE", "team": " keeps its spaces "}
    assert found.trimmed == ["APP "] and found.dropped == ["my label"]


def test_swarm_list_labels_with_spaces_are_what_the_author_meant(tmp_path: Path) -> None:
    # Real (Minerva-System, deploy/swarm/docker-stack.yml): `labels: [APP = REST_SERVICE]`
    # gave the annotation key "APP " and the API server refused the Deployment.
    result, values = convert(
        """
services:
  rest:
    image: acme/rest:1
    labels: ["APP = REST_SERVICE", "my label=x"]
    deploy:
      labels: [APP = REST_SERVICE, com.example/tier=web]
""",
        tmp_path,
    )
    rest = values["services"]["rest"]
    assert rest["annotations"] == {"APP": "REST_SERVICE", "com.example/tier": "web"}
    assert rest["podAnnotations"] == {"APP": "REST_SERVICE"}
    entries = {e.key: e for e in result.ledger.entries if e.service == "rest"}
    assert entries["labels"].disposition is Disposition.APPROXIMATED
    assert "dropped: 'my label'" in entries["labels"].note
    assert entries["deploy.labels"].disposition is Disposition.APPROXIMATED
    assert entries["labels"].source is not None and entries["labels"].source.line == 5
