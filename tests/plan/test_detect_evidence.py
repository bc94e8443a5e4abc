"""Environments from how the repository runs its compose files (scripts, Makefiles, CI, docs),
not from file names: chains, env files, profiles, COMPOSE_FILE, stacks; dead variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.plan import plan
from kubealign.model.plan import EnvironmentKind, EnvironmentStatus, Plan
from kubealign.transform.gitops import EnvironmentTarget, GitSource, application, application_set
from repo_files import write_files

BASE = """\
services:
  api:
    image: acme/shop-api:1.0
    ports: ["8080:8080"]
  db:
    image: postgres:16
"""
# A full file (it has images): by its name alone it would be an environment of its own.
STAGING = "services:\n  api:\n    image: acme/shop-api:1.1-rc\n"


def _envs(detected: Plan) -> dict[str, tuple[str, ...]]:
    return {e.name: e.files for e in detected.environments}


def test_a_script_chain_is_one_environment_and_its_override_is_none(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.staging.yml": STAGING,
        "env/staging.env": "TAG=1\n",
        "scripts/deploy-staging.sh": (
            "#!/bin/bash\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\n"
            "docker compose --env-file env/staging.env -f docker-compose.yml "
            "-f docker-compose.staging.yml up -d\n"),
    })
    detected = plan(root, write=False).plan
    staging = detected.environment("staging")
    assert staging.files == ("docker-compose.yml", "docker-compose.staging.yml")
    assert staging.env_files == ("env/staging.env",)
    assert staging.status is EnvironmentStatus.DEPLOYED
    assert staging.invoked_by == ("scripts/deploy-staging.sh:4",)
    # The override never stands alone, and nothing runs the base file alone: one environment.
    assert [e.name for e in detected.environments] == ["staging"]
    assert detected.base == "staging"


def test_makefile_profiles_and_compose_file_variable(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.gpu.yml": "services:\n  api:\n    environment: {CUDA: '1'}\n",
        "docker-compose.prod.yml": STAGING,
        "Makefile": "up-gpu:\n\tdocker compose --profile gpu up -d\n",
        "deploy.sh": ("#!/bin/sh\nexport COMPOSE_FILE=docker-compose.yml:docker-compose.prod.yml\n"
                      "docker compose up -d\n"),
    })
    detected = plan(root, write=False).plan
    envs = _envs(detected)
    assert envs["local-gpu"] == ("docker-compose.yml",)
    assert detected.environment("local-gpu").profiles == ("gpu",)
    assert detected.environment("local-gpu").invoked_by == ("Makefile:2",)
    assert envs["production"] == ("docker-compose.yml", "docker-compose.prod.yml")
    assert detected.environment("production").invoked_by == ("deploy.sh:3",)


def test_stack_deploy_in_ci_is_a_swarm_environment_and_docs_only_is_documented(
    tmp_path: Path,
) -> None:
    root = write_files(tmp_path, {
        "stack.yml": BASE,
        "stack.prod.yml": "services:\n  api:\n    deploy: {replicas: 3}\n",
        "docker-compose.dev.yml": BASE.replace("1.0", "dev"),
        ".github/workflows/deploy.yml": (
            "on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: docker stack deploy -c stack.yml -c stack.prod.yml shop\n"),
        "README.md": "Run locally:\n\n```\ndocker compose -f docker-compose.dev.yml up\n```\n",
    })
    detected = plan(root, write=False).plan
    prod = next(e for e in detected.environments if e.files[0] == "stack.yml")
    assert prod.files == ("stack.yml", "stack.prod.yml")
    assert prod.kind is EnvironmentKind.SWARM
    assert prod.status is EnvironmentStatus.DEPLOYED
    assert prod.invoked_by == (".github/workflows/deploy.yml:6",)
    dev = detected.environment("development")
    assert dev.status is EnvironmentStatus.DOCUMENTED
    assert dev.invoked_by == ("README.md:4",)


def test_the_plan_file_says_where_each_environment_came_from(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.old.yml": BASE.replace("1.0", "0.9"),
        "run.sh": "#!/bin/sh\ndocker-compose -p shop up -d\n",
    })
    outcome = plan(root, write=False)
    text = outcome.text
    assert "invokedBy:\n    - run.sh:2" in text
    assert "run.sh:2: docker-compose -p shop up -d" in text  # the comment shows the command
    assert "status: dead" in text
    from kubealign.transform.plan.codec import read_plan_text

    back = read_plan_text(text, "kubealign.yaml").plan
    assert back.environment("old").status is EnvironmentStatus.DEAD
    assert back.environment("local").invoked_by == ("run.sh:2",)


@pytest.mark.parametrize("synced", [True, False])
def test_argo_cd_syncs_only_environments_deployed_today(tmp_path: Path, synced: bool) -> None:
    root = write_files(tmp_path, {"docker-compose.yml": BASE, "run.sh": "docker compose up -d\n"})
    detected = plan(root, write=False).plan
    git = GitSource("https://example.com/shop.git", "main", "chart")
    target = EnvironmentTarget("local", "shop-local", ("values.yaml", "values-local.yaml"),
                               synced)
    app = application(detected, git, target)
    assert ("automated" in app["spec"]["syncPolicy"]) is synced
    elements = application_set(detected, git, [target])["spec"]["generators"][0]["list"][
        "elements"]
    assert [e["environment"] for e in elements] == (["local"] if synced else [])


def test_remote_stack_deploys_and_loops_resolve_to_the_repository_files(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "deployment/docker-compose-gpu.yml": BASE.replace("1.0", "gpu"),
        "deployment/docker-compose-edge.yml": BASE.replace("1.0", "edge"),
        "deployment/docker-compose-spare.yml": BASE.replace("1.0", "spare"),
        "scripts/deploy.sh": (
            "#!/bin/bash\nscp deployment/*.yml ubuntu@host:~/\n"
            "ssh ubuntu@host << 'EOF'\n  docker stack deploy -c docker-compose-gpu.yml gpu\nEOF\n"
            "for name in edge spare; do\n"
            "  docker compose -f deployment/docker-compose-${name}.yml up -d\ndone\n"),
    })
    detected = plan(root, write=False).plan
    gpu = detected.environment("gpu")
    assert gpu.files == ("deployment/docker-compose-gpu.yml",)
    assert gpu.kind is EnvironmentKind.SWARM and gpu.invoked_by == ("scripts/deploy.sh:4",)
    for name in ("edge", "spare"):
        assert detected.environment(name).invoked_by == ("scripts/deploy.sh:7",)
        assert detected.environment(name).status is EnvironmentStatus.DEPLOYED


def test_a_file_copied_to_the_host_under_another_name_is_the_one_the_host_runs(
        tmp_path: Path) -> None:
    # Real (Sophia): `scp deployment/$compose_file host:/opt/app/docker-compose.yml`, then on
    # the host `docker stack deploy -c docker-compose.yml`. The repository's own
    # docker-compose.yml is not what runs there; the copied file is.
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "deployment/docker-compose-prod.yml": BASE.replace("1.0", "prod"),
        "deployment/docker-compose-gpu.yml": BASE.replace("1.0", "gpu"),
        "ops/release.sh": (
            "#!/bin/bash\n"
            "scp -i key.pem deployment/docker-compose-prod.yml ubuntu@host:/opt/app/"
            "docker-compose.yml\n"
            "ssh ubuntu@host 'cd /opt/app && docker stack deploy -c docker-compose.yml app'\n"),
        "ops/fleet.sh": (
            "#!/bin/bash\ncompose_file=$1\n"
            "scp \"deployment/$compose_file\" ubuntu@$ip:/opt/app/docker-compose.yml\n"
            "ssh ubuntu@$ip \"cd /opt/app && docker stack deploy -c docker-compose.yml s\"\n"),
    })
    detected = plan(root, write=False).plan
    prod = detected.environment("production")
    assert prod.files == ("deployment/docker-compose-prod.yml",)
    assert prod.status is EnvironmentStatus.DEPLOYED
    assert prod.invoked_by == ("ops/release.sh:3",)
    # Through a variable: every compose file of that folder is one the host may run.
    gpu = detected.environment("gpu")
    assert gpu.status is EnvironmentStatus.DEPLOYED and gpu.invoked_by == ("ops/fleet.sh:4",)
    assert not any("no compose file of the repository" in a.reason for a in detected.ambiguous)
    # The root file is run by nothing, and the scripts' docker-compose.yml is the host's copy,
    # no mention of it: dead, not 'referenced'.
    root_env = next(e for e in detected.environments if e.files == ("docker-compose.yml",))
    assert root_env.status is EnvironmentStatus.DEAD


def test_a_partial_file_run_alone_is_no_environment(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": BASE,
        "docker-compose.it.yml": "services:\n  api:\n    environment: {IT: '1'}\n",
        "README.md": "```\ndocker compose -f docker-compose.it.yml up -d\n```\n",
        "run.sh": "docker compose -f docker-compose.yml -f docker-compose.it.yml up -d\n",
    })
    detected = plan(root, write=False).plan
    assert _envs(detected) == {"it": ("docker-compose.yml", "docker-compose.it.yml")}
    assert any(a.file == "docker-compose.it.yml" and "README.md:2" in a.reason
               for a in detected.ambiguous)
