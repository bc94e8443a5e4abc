"""Text inside a Markdown table cell: a ``|`` would end the cell and a newline the row."""

from __future__ import annotations


def table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
