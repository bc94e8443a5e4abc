"""Command line: parse options, call an action, render its result, map to an exit code."""
