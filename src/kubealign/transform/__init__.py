"""Compose model -> values of the fixed chart (and the values contract itself)."""
