"""Sophia AI backend API."""
