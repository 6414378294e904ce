"""How much random testing a run does: hypothesis profiles and the budgets tests scale by them.

``HYPOTHESIS_PROFILE`` picks the profile (``tests/conftest.py`` loads it):

* ``dev`` (default): hypothesis' defaults with no deadline; the example database in ``.hypothesis/``
  replays a failure on the next run.
* ``ci`` (``make test``): the same number of examples, no deadline (a loaded 2-core machine is no
  reason to fail), and the failing example's blob printed so a CI failure can be replayed locally.
* ``nightly`` (``make test-long``): ten times the examples, steps and fuzzing time.

A test with its own budget writes ``settings(max_examples=examples(300))``: 300 in ``dev`` and ``ci``,
3,000 in ``nightly``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
SCALE = 10 if PROFILE == "nightly" else 1
DEFAULT_EXAMPLES = 100  # hypothesis' own default, made explicit


def examples(count: int) -> int:
    """A test's example count under the current profile."""
    return count * SCALE


def seconds(budget: float) -> float:
    """A time budget (schemathesis' ``--max-time``) under the current profile."""
    return budget * SCALE


def load_profile() -> None:
    settings.register_profile("dev", deadline=None)
    settings.register_profile("ci", max_examples=DEFAULT_EXAMPLES, deadline=None, print_blob=True)
    settings.register_profile(
        "nightly",
        max_examples=examples(DEFAULT_EXAMPLES),
        stateful_step_count=examples(50),
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(PROFILE)
