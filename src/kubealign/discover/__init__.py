"""Discovery: walk a repository and classify every file (see docs/inventory.md)."""
