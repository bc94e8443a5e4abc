"""Use cases: each action takes options, returns a result object, and never prints."""
