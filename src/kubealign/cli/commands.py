"""Imports every command module so that each registers its commands on ``app``."""

from kubealign.cli import audit as _audit  # noqa: F401
from kubealign.cli import base as _base  # noqa: F401
from kubealign.cli import cleanup as _cleanup  # noqa: F401
from kubealign.cli import cluster as _cluster  # noqa: F401
from kubealign.cli import convert as _convert  # noqa: F401
from kubealign.cli import deploy as _deploy  # noqa: F401
from kubealign.cli import inventory as _inventory  # noqa: F401
from kubealign.cli import migrate as _migrate  # noqa: F401
from kubealign.cli import plan as _plan  # noqa: F401
from kubealign.cli import resolve as _resolve  # noqa: F401
from kubealign.cli import rules as _rules  # noqa: F401
from kubealign.cli import validate as _validate  # noqa: F401
