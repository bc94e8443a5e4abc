"""Only scripts that deploy are clean-up debt, and each proposal names its command."""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.audit import audit

_FILES = {
    # Deploys: ssh/rsync to a host, image push, Swarm rollback, Swarm secrets.
    "scripts/deploy_prod.sh": "#!/bin/bash\nset -euo pipefail\n"
    "rsync -az ./ ubuntu@host.example.com:/opt/app\n"
    "ssh ubuntu@host.example.com 'docker compose up -d'\n",
    "scripts/push.sh": "#!/bin/bash\nset -euo pipefail\ndocker build -t app:1 .\n"
    "docker push app:1\n",
    "scripts/rollback.sh": "#!/bin/bash\nset -euo pipefail\n"
    "docker service rollback app_web\n",
    # Deploy nothing: environment activation, git hook, formatter, git push helper,
    # read-only kubectl/helm, Pulumi ESC reads.
    "activate_env.sh": "#!/bin/bash\nsource .venv/bin/activate\nexport PYTHONPATH=.\n",
    ".githooks/pre-commit": "#!/bin/sh\nblack --check .\nruff check .\n",
    "scripts/format.sh": "#!/bin/bash\nblack .\nisort .\n",
    "scripts/git_push.sh": "#!/bin/bash\ngit add -A\ngit commit -m wip\ngit push origin main\n",
    "scripts/status.sh": "#!/bin/bash\nkubectl get pods -n app\nhelm lint chart\n",
    "scripts/env.sh": "#!/bin/bash\npulumi env open org/default/prod\n",
    "docker-compose.yml": "services:\n  web:\n    image: app:1\n",
    # Run things without deploying: a tool container, a local image build, infrastructure
    # provisioning, a test that starts a container, a health check over ssh, a dev container,
    # the local stack, a developer's database.
    "scripts/scan.sh": "#!/bin/bash\ndocker run --rm aquasec/trivy image app:1\n",
    "scripts/build.sh": "#!/bin/bash\ndocker build -t app:dev .\n",
    "scripts/infra.sh": "#!/bin/bash\nterraform apply -auto-approve\npulumi up --yes\n",
    "scripts/test-container.sh": "#!/bin/bash\ndocker run -d --restart always app:1\n",
    "scripts/host_status.sh": "#!/bin/bash\nssh ubuntu@host.example.com uptime\n",
    ".devcontainer/Dockerfile": "FROM python:3.11\n",
    ".devcontainer/post-start.sh": "#!/bin/bash\ndocker compose -f docker-compose.prod.yml up -d\n",
    "scripts/start-local.sh": "#!/bin/bash\ndocker compose -f docker-compose.yml up -d\n",
    "scripts/make_db.sh": "#!/bin/sh\ndocker run --name db -d postgres:16\n",
    # A program named as a deployment that starts the web server itself.
    "scripts/deploy_api_server.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    "if __name__ == '__main__':\n    uvicorn.run(app, host='0.0.0.0', port=8000)\n",
    "docker-compose.prod.yml": "services:\n  web:\n    image: app:1\n",
}

_NEVER = {"activate_env.sh", ".githooks/pre-commit", "scripts/format.sh",
          "scripts/git_push.sh", "scripts/status.sh", "scripts/env.sh", "scripts/scan.sh",
          "scripts/build.sh", "scripts/infra.sh", "scripts/test-container.sh",
          "scripts/host_status.sh", ".devcontainer/Dockerfile", ".devcontainer/post-start.sh",
          "scripts/start-local.sh", "scripts/make_db.sh"}


def _repo(tmp_path: Path) -> Path:
    for rel, text in _FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_only_deploying_scripts_are_debt(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path))
    debt = {i.path: i for i in report.tech_debt}
    assert not _NEVER & set(debt), sorted(_NEVER & set(debt))
    for path in ("scripts/deploy_prod.sh", "scripts/push.sh", "scripts/rollback.sh",
                 "scripts/deploy_api_server.py"):
        assert path in debt, sorted(debt)


def test_each_script_proposal_names_its_command(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path))
    debt = {i.path: i for i in report.tech_debt}
    assert "scripts/deploy_prod.sh:3 `rsync" in debt["scripts/deploy_prod.sh"].reason
    assert "scripts/rollback.sh:3 `docker service rollback" in debt["scripts/rollback.sh"].reason
    assert debt["scripts/push.sh"].reason.endswith("the CI image build and push")



def test_a_deploy_named_server_launcher_names_its_line(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path))
    debt = {i.path: i for i in report.tech_debt}
    reason = debt["scripts/deploy_api_server.py"].reason
    assert "scripts/deploy_api_server.py:5 `uvicorn.run(" in reason
    assert "the chart's Deployment" in reason


def test_script_reduction_counts_deploy_scripts_only(tmp_path: Path) -> None:
    """Hooks, activation, formatters are not deploy scripts: they are not in the before count
    (they stay), and the report says what replaces the counted ones."""
    report = audit(_repo(tmp_path))
    counts = {b.kind: (b.before, b.after) for b in report.before_after}
    assert counts["deploy-scripts"] == (4, 1)
    assert report.script_reduction_percent == 75.0
    replaced = {r.replaced_by: r.scripts for r in report.script_replacements}
    assert sum(replaced.values()) == 4
    assert replaced["the CI image build and push"] == 1
