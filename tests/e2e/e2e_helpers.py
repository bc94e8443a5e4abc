"""Helpers of the e2e tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class Kubectl:
    def __init__(self, exe: Path, kubeconfig: Path) -> None:
        self.exe, self.kubeconfig = exe, kubeconfig

    def __call__(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        done = subprocess.run([str(self.exe), "--kubeconfig", str(self.kubeconfig), *args],
                              input=stdin, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr}")
        return done.stdout
