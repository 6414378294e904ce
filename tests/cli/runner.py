"""Run ``yunmail`` in-process and capture what it printed (used through the ``cli`` fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def data(self) -> Any:
        """The ``--json`` document printed on stdout."""
        return json.loads(self.stdout)


Cli = Callable[..., Outcome]
