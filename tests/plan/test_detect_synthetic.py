"""Detection on small made-up repositories: overrides, components, separate projects, doubts."""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.plan import plan
from kubealign.transform.plan.environments import environment_word
from repo_files import write_files

BASE = """\
name: shop
services:
  api:
    image: acme/shop-api:1.0
    ports: ["8080:8080"]
  web:
    image: acme/shop-web:1.0
  db:
    image: postgres:16
networks:
  shop-net: {}
"""


def test_partial_overrides_attach_to_their_base(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.override.yml": "services:\n  api:\n    environment: {DEBUG: '1'}\n",
        "docker-compose.prod.yml": "services:\n  api:\n    deploy: {replicas: 3}\n",
    })
    detected = plan(root, write=False).plan
    envs = {e.name: e.files for e in detected.environments}
    assert envs == {"local": ("docker-compose.yml", "docker-compose.override.yml"),
                    "production": ("docker-compose.yml", "docker-compose.prod.yml")}


def test_components_and_separate_projects_are_told_apart(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "services/mailer/docker-compose.yml": (
            "services:\n  mailer:\n    image: acme/mailer:2\n    networks: [shop-net]\n"
            "networks:\n  shop-net:\n    external: true\n"),
        "tools/wiki/docker-compose.yml": "services:\n  wiki:\n    image: requarks/wiki:2\n",
    })
    detected = plan(root, write=False).plan
    assert [e.name for e in detected.environments] == ["local"]
    assert [c.file for c in detected.components] == ["services/mailer/docker-compose.yml"]
    assert "shop-net" in detected.components[0].reason
    assert [s.file for s in detected.separate_releases] == ["tools/wiki/docker-compose.yml"]


def test_same_image_different_command_is_listed_not_merged(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE.replace("networks:", "  worker:\n    image: acme/shop-api:1.0\n"
                                           "    command: [python, worker.py]\nnetworks:"),
        "deploy/docker-compose-edge.yml": (
            "services:\n  api:\n    image: acme/shop-api:1.1\n"
            "  jobs:\n    image: acme/shop-api:1.1\n    command: [python, cron.py]\n"),
    })
    detected = plan(root, write=False).plan
    assert detected.services == ()
    assert any("share the image acme/shop-api" in a.reason for a in detected.ambiguous)


def test_renamed_service_matched_by_image(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "deploy/docker-compose-staging.yml": (
            "services:\n  shop-api:\n    image: acme/shop-api:1.1\n"
            "  shop-web:\n    image: acme/shop-web:1.1\n"),
    })
    detected = plan(root, write=False).plan
    names = {m.name: dict(m.names) for m in detected.services}
    assert names in ({"api": {"staging": "shop-api"}, "web": {"staging": "shop-web"}},
                     {"shop-api": {"local": "api"}, "shop-web": {"local": "web"}})
    staging = next(e for e in detected.environments if e.name == "staging")
    assert staging.project_directory == "deploy"
    assert detected.migration_order[0] == "local" or detected.migration_order[0] == "staging"


def test_required_variable_does_not_drop_the_environment(tmp_path: Path) -> None:
    # A `${VAR:?}` with no value used to make the file "not load" and vanish from the plan;
    # a migration keeps the environment and reports the variable when it converts it.
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.broken.yml": "services:\n  api:\n"
                                     "    image: acme/shop-api:${TAG:?set TAG}\n",
    })
    detected = plan(root, write=False).plan
    assert [e.name for e in detected.environments] == ["local", "broken"]
    assert not detected.ambiguous


def test_environment_words() -> None:
    assert environment_word("docker-compose.prod.yml") == "production"
    assert environment_word("docker-compose-ai-core.yml") == "ai-core"
    assert environment_word("compose.staging.yaml") == "staging"
    assert environment_word("edge.docker-compose.yml") == "edge"
    assert environment_word("docker-compose.yml") is None
