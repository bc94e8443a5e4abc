"""CI workflows: GitHub Actions and GitLab CI jobs, steps, commands and their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.errors import LoadError, YamlError
from kubealign.load.ci_workflow import load_workflow, parse_workflow_text, workflow_from_data
from kubealign.model.artifacts import DeployKind

GITHUB = """\
name: Deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
env:
  REGISTRY: ghcr.io/org
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Image
        uses: docker/build-push-action@v6
        with:
          context: .
          file: docker/Dockerfile.gh200
          tags: ${{ env.REGISTRY }}/ai:1
          push: true
      - name: Compose
        run: |
          docker compose -f docker-compose.yml config -q

          ./scripts/smoke.sh
      - run: kubectl apply -f k8s/ -n ${{ vars.NS }}
  ship:
    needs: [build]
    environment:
      name: production
    runs-on: ubuntu-latest
    steps:
      - uses: appleboy/ssh-action@v1
        with:
          host: 192.0.2.10
          username: ubuntu
          script: |
            cd /opt/app
            docker stack deploy -c docker-stack.yml app
  old-k8s:
    if: ${{ false }}
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install app ./chart
  reuse:
    uses: ./.github/workflows/common.yml
"""


def test_github_jobs_steps_and_triggers() -> None:
    info = parse_workflow_text(GITHUB, ".github/workflows/deploy.yml")
    assert info.system == "github-actions" and info.name == "Deploy"
    assert info.triggers == ("push", "workflow_dispatch")
    assert [(j.name, j.line, j.disabled) for j in info.jobs] == [
        ("build", 9, False),
        ("ship", 26, False),
        ("old-k8s", 39, True),
        ("reuse", 44, False),
    ]
    build = info.jobs[0]
    assert [(s.name, s.line, s.uses, s.run_line) for s in build.steps] == [
        (None, 12, "actions/checkout@v4", None),
        ("Image", 13, "docker/build-push-action@v6", None),
        ("Compose", 20, None, 22),
        (None, 25, None, 25),
    ]
    ship = info.job("ship")
    assert ship is not None and ship.needs == ("build",) and ship.environment == "production"
    assert info.jobs[2].disabled_reason == "if: false"


def test_github_commands_with_yaml_lines() -> None:
    info = parse_workflow_text(GITHUB, ".github/workflows/deploy.yml")
    rows = [(c.line, c.kind, c.function) for c in info.deploy_commands]
    assert rows == [
        (14, DeployKind.DOCKER_BUILD, "build"),
        (22, DeployKind.COMPOSE_OTHER, "build"),
        (24, DeployKind.SCRIPT_CALL, "build"),
        (25, DeployKind.KUBECTL_APPLY, "build"),
        (32, DeployKind.SSH, "ship"),
        (38, DeployKind.STACK_DEPLOY, "ship"),
        (43, DeployKind.HELM_UPGRADE, "old-k8s"),
    ]
    build = info.deploy_commands[0]
    assert build.files == ("docker/Dockerfile.gh200",)
    assert build.param("tag") == "ghcr.io/org/ai:1"
    assert info.deploy_commands[3].param("namespace") == "$vars_NS"
    ssh = info.deploy_commands[4]
    assert ssh.hosts == ("ubuntu@192.0.2.10",)
    assert info.deploy_commands[5].remote_host == "ubuntu@192.0.2.10"
    assert [c.target for c in info.calls] == [
        "./scripts/smoke.sh",
        "./.github/workflows/common.yml",
    ]
    assert [c.kind for c in info.live_deploy_commands].count(DeployKind.HELM_UPGRADE) == 0
    assert [h.value for h in info.hosts] == ["192.0.2.10"]


GITLAB = """\
stages: [build, deploy]
variables:
  STACK: sophia
before_script:
  - echo start
deploy-prod:
  stage: deploy
  environment: production
  script:
    - docker stack deploy -c docker-stack.yml $STACK
    - |
      ssh ops@198.51.100.7 "docker service update --image app:2 sophia_web"
      ./scripts/after.sh
  when: manual
.template:
  script:
    - kubectl apply -f k8s/
never:
  rules:
    - when: never
  script: helm install x ./chart
"""


def test_gitlab_jobs_scripts_and_disabled_jobs() -> None:
    info = parse_workflow_text(GITLAB, ".gitlab-ci.yml")
    assert info.system == "gitlab-ci"
    assert [(j.name, j.line, j.stage, j.disabled, j.disabled_reason) for j in info.jobs] == [
        ("deploy-prod", 6, "deploy", False, None),
        (".template", 15, None, True, "hidden job (template)"),
        ("never", 18, None, True, "rules: when: never"),
    ]
    rows = [(c.line, c.kind, c.function) for c in info.deploy_commands]
    assert rows == [
        (10, DeployKind.STACK_DEPLOY, "deploy-prod"),
        (12, DeployKind.SSH, "deploy-prod"),
        (12, DeployKind.DOCKER_SERVICE_UPDATE, "deploy-prod"),
        (13, DeployKind.SCRIPT_CALL, "deploy-prod"),
        (17, DeployKind.KUBECTL_APPLY, ".template"),
        (21, DeployKind.HELM_INSTALL, "never"),
    ]
    assert [c.kind for c in info.live_deploy_commands][-1] is DeployKind.SCRIPT_CALL
    assert ("echo", "start") in [c.words for c in info.commands]


def test_all_jobs_disabled_means_the_workflow_is_disabled() -> None:
    info = workflow_from_data({"on": "push", "jobs": {"a": {"if": False, "steps": []}}}, "w.yml")
    assert info.disabled and info.jobs[0].line == 1


def test_plain_data_without_sources_still_works() -> None:
    data = {"on": ["push"], "jobs": {"a": {"steps": [{"run": "docker compose up -d\n"}]}}}
    info = workflow_from_data(data, ".github/workflows/x.yml")
    assert info.deploy_commands[0].kind is DeployKind.COMPOSE_UP


def test_tokens_in_run_blocks_are_masked() -> None:
    token = "ghp_" + "Mn0Pq1Rs2" * 4
    text = f"on: push\njobs:\n  a:\n    steps:\n      - run: curl -H 'token {token}' x\n"
    info = parse_workflow_text(text, ".github/workflows/t.yml")
    assert [(t.line, t.kind) for t in info.tokens] == [(5, "github-token")]
    assert token not in repr(info)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not a CI workflow"):
        parse_workflow_text("a: 1\n", "random.yml")
    with pytest.raises(YamlError):
        parse_workflow_text("on: [push\n", ".github/workflows/bad.yml")
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text("job:\n  script: make deploy\n", encoding="utf-8")
    info = load_workflow(path, ".gitlab-ci.yml")
    assert info.deploy_commands[0].kind is DeployKind.MAKE_CALL
    assert info.deploy_commands[0].line == 2
