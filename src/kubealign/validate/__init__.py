"""Validate: render charts with Helm, check every object against Kubernetes and CRD schemas."""
