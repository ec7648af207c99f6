"""Maintainers' tools run from the project's root (``python -m tools.NAME``); not part of the installed package."""
