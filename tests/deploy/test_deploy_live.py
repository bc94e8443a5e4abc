"""Deploy to a real cluster: skipped unless KUBEALIGN_TEST_KUBECONTEXT names a kube context.

    KUBEALIGN_TEST_KUBECONTEXT=kind-kubealign .venv/bin/pytest tests/deploy/test_deploy_live.py

Installs the converted example's ``development`` environment into a throw-away namespace
(``KUBEALIGN_TEST_NAMESPACE``, default ``kubealign-live-test``, created when missing) without
waiting for pods (images are not pulled for the test to pass), upgrades it, rolls it back,
and uninstalls it. Uses the ``helm`` binary when on PATH, else the embedded SDK.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kubealign.actions.deploy import (
    DeployRequest,
    execute_deploy,
    prepare_deploy,
    release_state,
    rollback_release,
)
from kubealign.deploy.helm_adapter import SdkHelmClient, Target, UpgradeOptions, select_helm_client

CONTEXT = os.environ.get("KUBEALIGN_TEST_KUBECONTEXT", "")
NAMESPACE = os.environ.get("KUBEALIGN_TEST_NAMESPACE", "kubealign-live-test")

pytestmark = pytest.mark.skipif(
    not CONTEXT, reason="set KUBEALIGN_TEST_KUBECONTEXT to a kube context to run the live test"
)


def _uninstall(target: Target) -> None:
    helm = shutil.which("helm")
    if helm:
        subprocess.run([helm, "uninstall", target.release, "--namespace", target.namespace,
                        "--kube-context", CONTEXT, "--ignore-not-found"], check=False,
                       capture_output=True, timeout=300)
        return
    import helm_python

    # Clean-up must not hide the failure that brought us here.
    with contextlib.suppress(helm_python.HelmError), helm_python.Config(
        kube_context=CONTEXT, namespace=target.namespace
    ) as config:
        config.uninstall(target.release, ignore_not_found=True, timeout=300)


def test_install_upgrade_rollback_on_a_live_cluster(converted_sophia: Path) -> None:
    options = UpgradeOptions(timeout=300, wait=False, rollback_on_failure=False,
                             create_namespace=True)
    request = DeployRequest(converted_sophia, "development", namespace=NAMESPACE,
                            kube_context=CONTEXT, release="kubealign-live", options=options)
    preflight = prepare_deploy(request)
    client = select_helm_client()
    try:
        first = execute_deploy(preflight, client)
        assert (first.revision, first.status) == (1, "deployed")
        second = execute_deploy(preflight, client)
        assert second.revision == 2
        state = release_state(preflight.target, client)
        assert [r.revision for r in sorted(state.history, key=lambda r: r.revision)] == [1, 2]
        rolled = rollback_release(preflight.target, client, 1, timeout=300, wait=False)
        assert (rolled.revision, rolled.status) == (3, "deployed")
        if not isinstance(client, SdkHelmClient):
            assert SdkHelmClient().status(preflight.target).revision == 3
    finally:
        _uninstall(preflight.target)
