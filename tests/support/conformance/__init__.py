"""Conformance suites for the storage ports (trio ``check_*`` pattern, Stalwart ``STORE=`` pattern).

Each suite is a tuple of async check functions plus a ``check_*`` runner. A check takes a factory
that opens a fresh implementation as an async context manager, so the same checks run against every
implementation: test modules parametrise over the tuple to report one behaviour per test item.
"""


def check_id(conformance: object) -> str:
    """A readable pytest id: the check's name without the ``check_`` prefix."""
    return str(getattr(conformance, "__name__", conformance)).removeprefix("check_")
