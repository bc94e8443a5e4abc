"""tools/cluster/e2e.py: an upgrade or rollback is retried with --recreate-statefulsets only
when kubealign stopped on the immutable-StatefulSet refusal and named that option."""

from __future__ import annotations

from types import ModuleType

from cluster_tools import cluster_tool
from kubealign.actions.deploy import rejected
from kubealign.deploy.server_check import Rejection, ServerCheck

_FIXED = Rejection("StatefulSet", "minio", "spec", "Forbidden: updates to statefulset spec for "
                   "fields other than 'replicas', 'ordinals', 'template' are forbidden")
_OTHER = Rejection("Deployment", "web", "spec.template.spec.hostAliases[0].ip", "Invalid value")


def _e2e() -> ModuleType:
    return cluster_tool("e2e")


def _said(*rejections: Rejection, command: str = "deploy") -> str:
    """What kubealign prints: the error line, wrapped as it is on an 80-column terminal."""
    message = str(rejected(ServerCheck(server="https://127.0.0.1:6443",
                                       rejections=rejections), "nexus", command))
    words, lines = message.split(), [""]
    for word in words:
        lines[-1:] = [lines[-1] + " " + word] if len(lines[-1]) + len(word) < 80 else [
            lines[-1], word]
    return "error: " + "\n".join(lines) + "\n"


def test_the_statefulset_refusal_with_its_remedy_is_retried() -> None:
    refusal = _e2e().statefulset_refusal
    assert refusal(1, _said(_FIXED))
    assert refusal(1, _said(_FIXED, command="rollback"))


def test_every_other_failure_is_reported_as_it_is() -> None:
    refusal = _e2e().statefulset_refusal
    # Mixed refusals: the option would not cure them, kubealign does not offer it.
    assert not refusal(1, _said(_FIXED, _OTHER))
    assert not refusal(1, _said(_OTHER))
    assert not refusal(2, _said(_FIXED))  # a usage error is never retried
    assert not refusal(0, _said(_FIXED))
    assert not refusal(1, "helm failed for release 'nexus': Forbidden: updates to "
                          "statefulset spec for fields other than 'replicas'")
