"""Imports every command module so that each registers its commands on ``app``."""

from kubealign.cli import base as _base  # noqa: F401
