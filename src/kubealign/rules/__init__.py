"""Audit rules: one small class each, in an explicit registry."""
