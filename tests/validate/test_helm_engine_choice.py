"""Which Helm engine renders: the helm binary when on PATH, else the embedded SDK (an extra);
neither installed is one line naming both installs, not an ImportError."""

from __future__ import annotations

import shutil

import pytest

from kubealign.deploy.helm_adapter import BinaryHelmClient, select_helm_client
from kubealign.errors import UsageError
from kubealign.validate import helm_support
from kubealign.validate.helm import helm_backend


def _world(monkeypatch: pytest.MonkeyPatch, *, binary: bool, sdk: bool,
           forced: str = "") -> None:
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/helm" if binary else None)
    monkeypatch.setattr(helm_support, "sdk_installed", lambda: sdk)
    monkeypatch.setenv("KUBEALIGN_HELM", forced)


@pytest.mark.parametrize(("binary", "sdk", "expected"), [
    (True, True, "binary"), (True, False, "binary"), (False, True, "sdk")])
def test_the_binary_first_then_the_sdk(monkeypatch: pytest.MonkeyPatch, binary: bool,
                                       sdk: bool, expected: str) -> None:
    _world(monkeypatch, binary=binary, sdk=sdk)
    assert helm_backend() == expected
    client = select_helm_client()
    assert isinstance(client, BinaryHelmClient) == (expected == "binary")


def test_neither_engine_names_both_installs(monkeypatch: pytest.MonkeyPatch) -> None:
    _world(monkeypatch, binary=False, sdk=False)
    for choose in (helm_backend, select_helm_client):
        with pytest.raises(UsageError, match=r"helm binary.*kubealign\[helm-sdk\]"):
            choose()


def test_a_forced_engine_that_is_missing_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    _world(monkeypatch, binary=True, sdk=False, forced="sdk")
    with pytest.raises(UsageError, match=r"helm-sdk"):
        helm_backend()
    _world(monkeypatch, binary=False, sdk=True, forced="binary")
    with pytest.raises(UsageError, match="no helm executable"):
        helm_backend()


def test_the_sdk_is_detected_without_importing_it() -> None:
    assert helm_support.sdk_installed() is (helm_support.importlib.util.find_spec(
        "helm_python") is not None)
