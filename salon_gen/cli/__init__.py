"""The `salon` command: the only package that knows about Click, terminals and exit codes."""
