"""Compose model -> values of the fixed chart, with a ledger entry for every key written."""

from kubealign.transform.convert.options import ConversionOptions
from kubealign.transform.convert.project import ConversionResult, convert_project

__all__ = ["ConversionOptions", "ConversionResult", "convert_project"]
