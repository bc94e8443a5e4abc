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
}

_NEVER = {"activate_env.sh", ".githooks/pre-commit", "scripts/format.sh",
          "scripts/git_push.sh", "scripts/status.sh", "scripts/env.sh"}


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
    for path in ("scripts/deploy_prod.sh", "scripts/push.sh", "scripts/rollback.sh"):
        assert path in debt, sorted(debt)


def test_each_script_proposal_names_its_command(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path))
    debt = {i.path: i for i in report.tech_debt}
    assert "scripts/deploy_prod.sh:3 `rsync" in debt["scripts/deploy_prod.sh"].reason
    assert "scripts/rollback.sh:3 `docker service rollback" in debt["scripts/rollback.sh"].reason
    assert debt["scripts/push.sh"].reason.endswith("the CI image build and push")

