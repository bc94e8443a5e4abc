"""Secrets on Kubernetes: providers behind External Secrets, remote keys, env composition,
and the scrubber that keeps every secret value out of what kubealign writes."""
