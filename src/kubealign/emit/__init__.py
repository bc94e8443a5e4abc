"""Deterministic writers: the only code that writes files."""
