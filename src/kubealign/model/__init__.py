"""The domain model: frozen dataclasses, no I/O, no YAML or Kubernetes libraries."""
