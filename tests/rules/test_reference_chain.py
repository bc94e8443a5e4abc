"""What holds a clean-up proposal back is a use, not a mention.

A repository whose live CI job runs a migration script that names ``scripts/database/``
(an echo, a ``cd``), whose database script names ``scripts/`` in turn, had every file of
``scripts/`` and everything they touched held back. A folder merely named runs none of its
files; ``kubectl apply -f k8s/`` reads k8s/'s own manifests, not its subfolders (that takes
``-R``); a script creating cloud infrastructure (``az aks nodepool add``, ``terraform
apply``) and shipping the application to no host is provisioning, which the chart does not
replace; a sample script in the docs is documentation.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from kubealign.actions.audit import audit
from kubealign.actions.cleanup import plan_cleanup
from repo_files import write_files

#: Objects the chart replaces (its service ``web``; Argo CD's namespace), so that only the
#: references decide whether the files are proposed or held back.
_WORKLOAD = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
             "  template:\n    spec:\n      containers:\n        - name: web\n"
             "          image: app:1\n")
_NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"

_FILES = {
    ".github/workflows/ci.yml": """name: ci
on: [push]
jobs:
  migrate:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/run_migrations.sh
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: az aks get-credentials --resource-group rg --name aks
      - run: kubectl apply -f k8s/ -n staging
""",
    "scripts/run_migrations.sh": "#!/bin/bash\nset -euo pipefail\n"
    "echo 'migrations live in scripts/database/'\nalembic upgrade head\n",
    "scripts/database/orchestrate.sh": "#!/bin/bash\nset -euo pipefail\ncd scripts/\n"
    "psql -f schema.sql\n",
    "scripts/deploy_production.sh": "#!/bin/bash\nset -euo pipefail\n"
    "rsync -az ./ ubuntu@prod.example.com:/opt/app\n"
    "ssh ubuntu@prod.example.com 'docker compose -f docker-compose.prod.yml up -d'\n",
    "scripts/phase1/node-pools.sh": "#!/bin/bash\nset -euo pipefail\n"
    "az aks nodepool add --resource-group rg --cluster-name aks --name gpu\n"
    "kubectl apply -f /tmp/scaling.yaml\n",
    "scripts/deploy-eks.sh": "#!/bin/bash\nset -euo pipefail\nterraform init\n"
    "terraform apply -auto-approve\nhelm upgrade --install velero vmware-tanzu/velero\n",
    "scripts/deploy_vm.sh": "#!/bin/bash\nset -euo pipefail\n"
    "aws ec2 run-instances --image-id ami-1 --count 1\n"
    "ssh ubuntu@vm.example.com 'docker compose -f docker-compose.prod.yml up -d'\n",
    "docs/samples/deploy.sh": "#!/bin/bash\nset -euo pipefail\n"
    "rsync -az ./ ubuntu@prod.example.com:/opt/app\n",
    "docker-compose.yml": "services:\n  web:\n    image: app:1\n",
    "docker-compose.prod.yml": "services:\n  web:\n    image: app:1\n    deploy:\n"
    "      replicas: 2\n",
    "k8s/01-config.yaml": _WORKLOAD,
    "k8s/frontend/cdn.yaml": _NAMESPACE.format(name="cdn"),
}


def _plan(tmp_path: Path) -> tuple[set[str], dict[str, str]]:
    root = write_files(tmp_path, _FILES)
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=root, check=True)
    plan = plan_cleanup(audit(root), root)
    return {s.path for s in plan.steps}, {h.path: h.why_not for h in plan.held_back}


def test_a_named_folder_makes_nothing_in_it_live(tmp_path: Path) -> None:
    proposed, held = _plan(tmp_path)
    assert "scripts/deploy_production.sh" in proposed, held.get("scripts/deploy_production.sh")


def test_kubectl_apply_of_a_folder_is_not_recursive(tmp_path: Path) -> None:
    proposed, held = _plan(tmp_path)
    assert "k8s/01-config.yaml" in held
    assert ".github/workflows/ci.yml" in held["k8s/01-config.yaml"]
    assert "k8s/frontend/cdn.yaml" in proposed, held.get("k8s/frontend/cdn.yaml")


def test_cloud_provisioning_is_not_deployment_debt(tmp_path: Path) -> None:
    proposed, held = _plan(tmp_path)
    # The cluster and its add-ons are built there, whatever the script's name says.
    assert not {"scripts/phase1/node-pools.sh", "scripts/deploy-eks.sh"} & (proposed | set(held))
    # An instance provisioned to receive the application over ssh is the old path.
    assert "scripts/deploy_vm.sh" in proposed


def test_a_sample_in_the_docs_is_no_deployment_debt(tmp_path: Path) -> None:
    proposed, held = _plan(tmp_path)
    assert "docs/samples/deploy.sh" not in proposed | set(held)
