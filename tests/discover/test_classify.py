"""Classification of each kind, by name, by content, and across files."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kubealign.model.inventory import Artifact, ArtifactKind, Inventory

K = ArtifactKind
Discover = Callable[[Mapping[str, str]], Inventory]


def one(inventory: Inventory, path: str) -> Artifact:
    artifact = inventory.get(path)
    assert artifact is not None, f"{path} not in inventory: {[a.path for a in inventory]}"
    return artifact


def kinds(inventory: Inventory, path: str) -> set[ArtifactKind]:
    return set(one(inventory, path).kinds)


COMPOSE = """\
services:
  web:
    image: nginx:1.27
    env_file: [./env/web.env, {path: ./missing.env, required: false}]
    volumes:
      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro
      - data:/var/lib/data
      - .:/srv/project
      - type: bind
        source: ./static
        target: /static
  api:
    extends: {file: ./common.yml, service: base}
    build:
      context: ./api
      dockerfile: build/api-image
configs:
  gateway:
    file: ./conf/gateway.yaml
secrets:
  db_password:
    file: ./secrets/db_password.txt
volumes:
  data: {}
"""


def test_compose_by_name_and_its_references(discover: Discover) -> None:
    inventory = discover(
        {
            "docker-compose.yml": COMPOSE,
            "env/web.env": "# comment\nexport API_URL=http://api\nTOKEN=s3cr3t-value\n",
            "conf/nginx.conf": "events {}\n",
            "conf/gateway.yaml": "routes: []\n",
            "secrets/db_password.txt": "hunter2\n",
            "static/index.html": "<html></html>\n",
            "api/build/api-image": (
                '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nCMD ["x"]\n'
            ),
            "api/main.py": "print('hi')\n",
        }
    )
    compose = one(inventory, "docker-compose.yml")
    assert compose.kinds == (K.COMPOSE,)
    assert compose.compose is not None
    assert compose.compose.services == ("api", "web")
    assert compose.compose.volumes == ("data",)
    refs = {(r.key, r.path, r.exists) for r in compose.compose.references}
    assert refs == {
        ("env_file", "env/web.env", True),
        ("env_file", "missing.env", False),
        ("volume", "conf/nginx.conf", True),
        ("volume", ".", True),
        ("volume", "static", True),
        ("build", "api/build/api-image", True),
        ("extends", "common.yml", False),
        ("config", "conf/gateway.yaml", True),
        ("secret", "secrets/db_password.txt", True),
    }
    env = one(inventory, "env/web.env")
    assert set(env.kinds) == {K.ENV_FILE, K.MOUNTED_CONFIG}
    assert env.env_file is not None and env.env_file.variables == ("API_URL", "TOKEN")
    for path in ("conf/nginx.conf", "conf/gateway.yaml", "secrets/db_password.txt"):
        assert K.MOUNTED_CONFIG in kinds(inventory, path), path
    assert kinds(inventory, "static/index.html") == {K.MOUNTED_CONFIG}
    # ".:/srv/project" mounts the project itself: that makes nothing a mounted config.
    assert kinds(inventory, "api/main.py") == {K.OTHER}
    mounted = one(inventory, "conf/gateway.yaml").mounted
    assert mounted is not None
    assert [(r.compose, r.key, r.pointer) for r in mounted.referenced_by] == [
        ("docker-compose.yml", "config", "/configs/gateway/file")
    ]
    built = one(inventory, "api/build/api-image")
    assert K.DOCKERFILE in built.kinds
    assert built.dockerfile is not None and built.dockerfile.stages[0].base == "python:3.12-slim"
    assert built.dockerfile.syntax == "docker/dockerfile:1"


def test_secret_values_never_enter_the_inventory(discover: Discover) -> None:
    from kubealign.actions.inventory import inventory_to_json

    inventory = discover(
        {
            ".env": "DB_PASSWORD=hunter2-very-secret\n",
            "compose.yaml": "services:\n  a:\n    image: x\n    env_file: .env\n",
        }
    )
    text = inventory_to_json(inventory)
    assert "DB_PASSWORD" in text
    assert "hunter2" not in text


def test_compose_names(discover: Discover) -> None:
    body = "services:\n  a:\n    image: x\n"
    names = [
        "compose.yaml",
        "compose.prod.yml",
        "docker-compose.yml",
        "docker-compose-ai-core.yml",
        "deploy/app.compose.yaml",
    ]
    inventory = discover(dict.fromkeys(names, body))
    for name in names:
        assert K.COMPOSE in kinds(inventory, name), name
        assert one(inventory, name).evidence[0].reason == "file name follows compose naming"


def test_unnamed_compose_file_is_found_by_content(discover: Discover) -> None:
    inventory = discover(
        {
            "stacks/production.yml": "version: '3.8'\nservices:\n  api:\n    image: api:1\n",
            "stacks/not-compose.yml": "services:\n  - name: a\n",
            "config.yaml": "services:\n  github: {token_env: GH}\n",
        }
    )
    artifact = one(inventory, "stacks/production.yml")
    assert artifact.kinds == (K.COMPOSE,)
    assert "services" in artifact.evidence[0].reason
    assert kinds(inventory, "stacks/not-compose.yml") == {K.OTHER}
    assert kinds(inventory, "config.yaml") == {K.OTHER}


SWARM = """\
services:
  api:
    image: api:1
    deploy:
      mode: global
      placement:
        constraints: [node.labels.gpu == true]
      update_config: {parallelism: 1}
      resources:
        reservations:
          generic_resources:
            - discrete_resource_spec: {kind: gpu, value: 1}
networks:
  public:
    driver: overlay
"""


def test_swarm_stack_by_swarm_only_keys(discover: Discover) -> None:
    inventory = discover(
        {"stack.yml": SWARM, "plain.yml": "services:\n  a:\n    deploy: {replicas: 2}\n"}
    )
    stack = one(inventory, "stack.yml")
    assert stack.kinds == (K.COMPOSE, K.SWARM_STACK)
    assert stack.compose is not None
    assert stack.compose.swarm_keys == (
        "/networks/public/driver",
        "/services/api/deploy/mode",
        "/services/api/deploy/placement",
        "/services/api/deploy/resources/reservations/generic_resources",
        "/services/api/deploy/update_config",
    )
    # replicas/resources are honoured by docker compose too: not Swarm evidence.
    assert one(inventory, "plain.yml").kinds == (K.COMPOSE,)


def test_swarm_stack_by_docker_stack_deploy_in_a_script(discover: Discover) -> None:
    inventory = discover(
        {
            "docker-compose.cloud.yml": "services:\n  a:\n    image: x\n",
            "docker-compose.dev.yml": "services:\n  a:\n    image: x\n",
            "scripts/deploy.sh": (
                "#!/usr/bin/env bash\nset -euo pipefail\n"
                'docker stack deploy \\\n  -c "$ROOT/../docker-compose.cloud.yml" sophia\n'
                "docker compose -f ../docker-compose.dev.yml up -d\n"
                "ssh deploy@10.0.0.5 'kubectl apply -f k8s/'\n"
            ),
        }
    )
    stack = one(inventory, "docker-compose.cloud.yml")
    assert stack.kinds == (K.COMPOSE, K.SWARM_STACK)
    assert any("scripts/deploy.sh" in e.reason for e in stack.evidence)
    assert one(inventory, "docker-compose.dev.yml").kinds == (K.COMPOSE,)
    script = one(inventory, "scripts/deploy.sh")
    assert script.kinds == (K.DEPLOY_SCRIPT,)
    assert script.script is not None
    assert script.script.language == "bash"
    assert script.script.interpreter == "bash"
    assert script.script.tools == ("docker", "kubectl", "ssh")
    assert script.script.stack_deploys == ("docker-compose.cloud.yml",)
    assert script.script.compose_files == ("docker-compose.dev.yml",)
    assert "docker-compose.dev.yml" in script.script.references


def test_dockerfile_names(discover: Discover) -> None:
    body = "FROM alpine:3.20\n"
    names = [
        "Dockerfile",
        "Dockerfile.gh200",
        "Dockerfile.production.2025",
        "docker/api.Dockerfile",
        "Containerfile",
        "Dockerfile-dev",
    ]
    inventory = discover({**dict.fromkeys(names, body), "Dockerfile.dockerignore": "*.md\n"})
    for name in names:
        assert K.DOCKERFILE in kinds(inventory, name), name
    assert kinds(inventory, "Dockerfile.dockerignore") == {K.OTHER}


def test_dockerfile_by_content_ignoring_comments_and_directives(discover: Discover) -> None:
    inventory = discover(
        {
            "images/gpu": (
                "# syntax=docker/dockerfile:1.7\n# escape=\\\n\n# build the GPU image\n"
                "ARG CUDA=12.4\nFROM nvidia/cuda:${CUDA}-runtime AS base\n"
                "FROM base AS final\nUSER app\n"
            ),
            "tools/generate": "from pathlib import Path\nprint(Path())\n",
            "notes": "FROM here on, we deploy with helm\n",
        }
    )
    gpu = one(inventory, "images/gpu")
    assert gpu.kinds == (K.DOCKERFILE,)
    assert gpu.evidence[0].reason == "first instruction is FROM or ARG"
    assert gpu.dockerfile is not None
    assert [(s.base, s.name, s.line) for s in gpu.dockerfile.stages] == [
        ("nvidia/cuda:${CUDA}-runtime", "base", 6),
        ("base", "final", 7),
    ]
    assert kinds(inventory, "tools/generate") == {K.OTHER}
    assert K.DOCKERFILE in kinds(inventory, "notes")  # FROM <word> is a valid instruction


def test_env_files(discover: Discover) -> None:
    inventory = discover(
        {
            ".env": "A=1\n",
            ".env.production": "B=2\n",
            "deploy/gh200.env": "C=3\n",
            "env/staging": "D=4\n",
            "env/README.md": "# env files\n",
            "environment.yaml": "a: 1\n",
        }
    )
    for path, name in [
        (".env", "A"),
        (".env.production", "B"),
        ("deploy/gh200.env", "C"),
        ("env/staging", "D"),
    ]:
        artifact = one(inventory, path)
        assert artifact.kinds == (K.ENV_FILE,), path
        assert artifact.env_file is not None and artifact.env_file.variables == (name,)
    assert K.ENV_FILE not in kinds(inventory, "env/README.md")
    assert kinds(inventory, "environment.yaml") == {K.OTHER}


MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: sophia
---
# a comment-only document is skipped
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: sophia
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: sophia-prod}
"""


def test_multi_document_kubernetes_manifest(discover: Discover) -> None:
    inventory = discover({"k8s/app.yaml": MANIFESTS})
    artifact = one(inventory, "k8s/app.yaml")
    assert artifact.kinds == (K.KUBERNETES_MANIFEST,)
    assert artifact.kubernetes is not None
    docs = [
        (d.index, d.api_version, d.kind, d.name, d.namespace, d.line)
        for d in artifact.kubernetes.documents
    ]
    assert docs == [
        (0, "v1", "Namespace", "sophia", None, 1),
        (1, "apps/v1", "Deployment", "backend", "sophia", 8),
        (2, "v1", "Service", "backend", "sophia-prod", 16),
    ]


def test_broken_yaml_is_still_classified_by_name(discover: Discover) -> None:
    inventory = discover(
        {
            "docker-compose.prod.yml": "services:\n  web:\n    image: [unclosed\n",
            "k8s/broken.yaml": "apiVersion: v1\nkind: [\n",
            "dup.yaml": "apiVersion: v1\nkind: A\nkind: B\n",
            "unrelated.yaml": "a: [\n",  # no compose/manifest keys: not even parsed
        }
    )
    compose = one(inventory, "docker-compose.prod.yml")
    assert compose.kinds == (K.COMPOSE,)
    assert compose.compose is None
    assert len(compose.notes) == 1
    assert compose.notes[0].startswith("YAML not parsed: docker-compose.prod.yml:")
    assert one(inventory, "k8s/broken.yaml").kinds == (K.OTHER,)
    assert one(inventory, "k8s/broken.yaml").notes[0].startswith("YAML not parsed")
    assert "duplicate" in one(inventory, "dup.yaml").notes[0]
    assert one(inventory, "unrelated.yaml").notes == ()


def test_alias_bomb_is_a_note_not_a_hang(discover: Discover) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    inventory = discover({"compose.yaml": "\n".join(lines) + "\n"})
    artifact = one(inventory, "compose.yaml")
    assert artifact.kinds == (K.COMPOSE,)
    assert artifact.notes and "YAML not parsed" in artifact.notes[0]


def test_kustomization_helm_chart_and_argocd(discover: Discover) -> None:
    inventory = discover(
        {
            "gitops/base/kustomization.yaml": (
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                "namespace: sophia\nresources: [backend.yaml, ../common]\n"
                "patches:\n  - path: patch.yaml\n"
                "images:\n  - {name: backend, newName: ghcr.io/x/backend, newTag: '1.2'}\n"
            ),
            "gitops/base/backend.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "chart/Chart.yaml": (
                "apiVersion: v2\nname: sophia\nversion: 0.3.0\nappVersion: '2.1'\n"
                "dependencies:\n  - {name: redis, version: 19.x, repository: oci://x}\n"
            ),
            "chart/values.yaml": "image: {tag: latest}\n",
            "chart/values-prod.yaml": "replicas: 3\n",
            "chart/templates/deployment.yaml": "{{- if .Values.enabled }}\nkind: Deployment\n",
            "chart/templates/_helpers.tpl": '{{- define "x" -}}{{- end -}}\n',
            "argocd/app.yaml": (
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
                "metadata: {name: sophia, namespace: argocd}\n"
                "spec:\n  project: default\n  source:\n    repoURL: https://git.example/x.git\n"
                "    path: chart\n    targetRevision: main\n"
                "    helm: {valueFiles: [values-prod.yaml]}\n"
                "  destination: {server: https://kubernetes.default.svc, namespace: sophia}\n"
            ),
        }
    )
    kustomization = one(inventory, "gitops/base/kustomization.yaml")
    assert kustomization.kinds == (K.KUSTOMIZATION,)
    info = kustomization.kustomization
    assert info is not None
    assert info.namespace == "sophia"
    assert info.resources == ("backend.yaml", "../common")
    assert info.patches == ("patch.yaml",)
    assert [(i.name, i.new_name, i.new_tag) for i in info.images] == [
        ("backend", "ghcr.io/x/backend", "1.2")
    ]
    chart = one(inventory, "chart/Chart.yaml")
    assert chart.kinds == (K.HELM_CHART,)
    assert chart.helm_chart is not None
    assert (chart.helm_chart.name, chart.helm_chart.version, chart.helm_chart.app_version) == (
        "sophia",
        "0.3.0",
        "2.1",
    )
    assert chart.helm_chart.directory == "chart"
    assert chart.helm_chart.has_templates
    assert chart.helm_chart.values_files == ("values-prod.yaml", "values.yaml")
    assert chart.helm_chart.dependencies == ("redis",)
    assert kinds(inventory, "chart/values.yaml") == {K.HELM_VALUES}
    template = one(inventory, "chart/templates/deployment.yaml")
    assert template.kinds == (K.HELM_TEMPLATE,)
    assert template.notes == ()  # never parsed as YAML
    app = one(inventory, "argocd/app.yaml")
    assert app.kinds == (K.KUBERNETES_MANIFEST, K.ARGOCD_APPLICATION)
    assert app.argocd is not None
    argo = app.argocd.applications[0]
    assert (argo.kind, argo.name, argo.path, argo.target_revision) == (
        "Application",
        "sophia",
        "chart",
        "main",
    )
    assert argo.destination_namespace == "sophia"
    assert argo.value_files == ("values-prod.yaml",)


def test_applicationset_reads_its_template(discover: Discover) -> None:
    inventory = discover(
        {
            "appset.yaml": (
                "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n"
                "metadata: {name: envs}\nspec:\n  generators: []\n  template:\n"
                "    metadata: {name: '{{env}}'}\n    spec:\n      project: p\n"
                "      source: {repoURL: r, chart: sophia, targetRevision: 1.0.0}\n"
                "      destination: {namespace: '{{env}}'}\n"
            )
        }
    )
    argocd = one(inventory, "appset.yaml").argocd
    assert argocd is not None
    assert argocd.applications[0].chart == "sophia"
    assert argocd.applications[0].kind == "ApplicationSet"


def test_scripts_python_and_makefile(discover: Discover) -> None:
    inventory = discover(
        {
            "deploy.py": (
                "import subprocess\n"
                "subprocess.run(['kubectl', 'apply', '-f', 'k8s/app.yaml'], check=True)\n"
            ),
            "k8s/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "analysis.py": "import json\nprint(json.dumps({'docker': 1}))\n",
            "bin/rollout": "#!/usr/bin/env python3\nimport paramiko\nssh = 'ssh'\n",
            "scripts/lint.sh": "ruff check .\n",
            "Makefile": (
                ".PHONY: deploy test\nVERSION := 1.0\n\n"
                "deploy: build ## ship it\n"
                "\t@echo deploying\n\t-docker stack deploy -c docker-compose.yml app\n\n"
                "test lint:\n\tpytest -q \\\n\t  tests\n"
            ),
            "docker-compose.yml": "services:\n  a:\n    image: x\n",
        }
    )
    deploy = one(inventory, "deploy.py")
    assert deploy.kinds == (K.DEPLOY_SCRIPT,)
    assert deploy.script is not None and deploy.script.references == ("k8s/app.yaml",)
    assert kinds(inventory, "analysis.py") == {K.OTHER}
    rollout = one(inventory, "bin/rollout")
    assert rollout.kinds == (K.DEPLOY_SCRIPT,)
    assert rollout.script is not None and rollout.script.interpreter == "python3"
    lint = one(inventory, "scripts/lint.sh")
    assert lint.kinds == (K.SCRIPT,)
    make = one(inventory, "Makefile")
    assert make.kinds == (K.DEPLOY_SCRIPT,)
    assert make.script is not None
    assert [(t.name, t.line, t.commands) for t in make.script.targets] == [
        ("deploy", 4, ("echo", "docker")),
        ("test", 8, ("pytest",)),
        ("lint", 8, ("pytest",)),
    ]
    assert make.script.stack_deploys == ("docker-compose.yml",)
    assert kinds(inventory, "docker-compose.yml") == {K.COMPOSE, K.SWARM_STACK}


def test_ci_workflows(discover: Discover) -> None:
    inventory = discover(
        {
            ".github/workflows/deploy.yml": (
                "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: actions/checkout@v4\n"
                "      - run: ./scripts/deploy.sh && helm upgrade --install x ./chart\n"
                "  release:\n    uses: org/repo/.github/workflows/r.yml@main\n"
            ),
            ".github/workflows/nested/ignored.yml": "on: push\n",
            ".gitlab-ci.yml": (
                "stages: [deploy]\nvariables: {A: b}\n.template: {script: [x]}\n"
                "deploy-prod:\n  stage: deploy\n  script:\n"
                "    - docker stack deploy -c docker-compose.cloud.yml sophia\n"
            ),
            "Jenkinsfile": (
                "pipeline { stages { stage('d') { steps { sh 'kubectl apply -f k8s' } } } }\n"
            ),
            "scripts/deploy.sh": "#!/bin/sh\ndocker compose up -d\n",
            "docker-compose.cloud.yml": "services:\n  a:\n    image: x\n",
        }
    )
    github = one(inventory, ".github/workflows/deploy.yml")
    assert github.kinds == (K.CI_WORKFLOW,)
    assert github.ci is not None
    assert github.ci.system == "github-actions"
    assert github.ci.jobs == ("build", "release")
    assert github.ci.uses == ("actions/checkout@v4", "org/repo/.github/workflows/r.yml@main")
    assert github.ci.tools == ("helm",)
    assert "scripts/deploy.sh" in github.ci.references
    assert kinds(inventory, ".github/workflows/nested/ignored.yml") == {K.OTHER}
    gitlab = one(inventory, ".gitlab-ci.yml")
    assert gitlab.ci is not None
    assert gitlab.ci.jobs == ("deploy-prod",)
    assert gitlab.ci.stack_deploys == ("docker-compose.cloud.yml",)
    assert K.SWARM_STACK in kinds(inventory, "docker-compose.cloud.yml")
    jenkins = one(inventory, "Jenkinsfile")
    assert jenkins.ci is not None and jenkins.ci.system == "jenkins"
    assert jenkins.ci.tools == ("kubectl",)


def test_docs_mentioning_deployment(discover: Discover) -> None:
    inventory = discover(
        {
            "README.md": "# Sophia\nDeploy with `docker stack deploy` or Helm on Kubernetes.\n",
            "docs/CHANGELOG.md": "# Changes\n- fixed a typo\n",
        }
    )
    readme = one(inventory, "README.md")
    assert readme.kinds == (K.DOCS,)
    assert readme.docs is not None
    assert readme.docs.topics == ("deployment", "helm", "kubernetes", "swarm")
    assert kinds(inventory, "docs/CHANGELOG.md") == {K.OTHER}


def test_binary_and_oversized_files_do_not_break_discovery(discover: Discover) -> None:
    inventory = discover({"logo.png": "\x00\x01", "data.bin": "\x00" * 10, "ok.txt": "hello\n"})
    assert {a.path: a.kinds for a in inventory} == {
        "data.bin": (K.OTHER,),
        "logo.png": (K.OTHER,),
        "ok.txt": (K.OTHER,),
    }


def test_inventory_is_deterministic(discover: Discover) -> None:
    from kubealign.actions.inventory import inventory_to_json

    files = {
        "docker-compose.yml": COMPOSE,
        "k8s/app.yaml": MANIFESTS,
        "stack.yml": SWARM,
        "deploy.sh": "docker stack deploy -c stack.yml x\n",
    }
    first = inventory_to_json(discover(files))
    second = inventory_to_json(discover(files))
    assert first == second


def test_empty_compose_file_is_noted_not_silently_read(discover: Discover) -> None:
    # Real repositories commit empty compose files; the inventory says so instead of
    # presenting them as compose projects that were read.
    inventory = discover({"svc/docker-compose.yml": "", "svc/blank/compose.yaml": "# todo\n"})
    for path in ("svc/docker-compose.yml", "svc/blank/compose.yaml"):
        artifact = one(inventory, path)
        assert artifact.compose is None
        assert any(note.startswith("empty") for note in artifact.notes), artifact.notes
