#!/usr/bin/env python3
"""Keep requirements/lock.txt in step with pyproject.toml (offline: reads the two files only).

    lockfile.py stamp   after `uv pip compile` wrote the lock: record which inputs it was made from
    lockfile.py check   fail when pyproject.toml's dependencies changed since the lock was made, or
                        when a pinned version does not satisfy a range in pyproject.toml

The stamp is a digest of the dependency lists (runtime + extras) and requires-python, kept as a
comment line in the lock. `make lock` compiles and stamps; `make test` and CI run the check.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements" / "lock.txt"
STAMP_PREFIX = "# pyproject-inputs-sha256: "
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def inputs() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra, listed in sorted(project.get("optional-dependencies", {}).items()):
        requirements += [f"[{extra}] {item}" for item in listed]
    return [f"requires-python {project.get('requires-python', '')}", *requirements]


def digest() -> str:
    return hashlib.sha256("\n".join(inputs()).encode()).hexdigest()


def pins(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def problems(text: str) -> list[str]:
    found: list[str] = []
    stamps = [
        line[len(STAMP_PREFIX) :].strip() for line in text.splitlines() if line.startswith(STAMP_PREFIX)
    ]
    if stamps != [digest()]:
        found.append("the dependencies in pyproject.toml changed since the lock was made")
    pinned = pins(text)
    for entry in inputs()[1:]:
        requirement = Requirement(entry.split("] ", 1)[-1])
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # not for this platform (e.g. uvloop on Windows)
        if name not in pinned:
            found.append(f"{requirement.name} is not pinned in the lock")
        elif not requirement.specifier.contains(pinned[name], prereleases=True):
            found.append(f"{requirement.name}=={pinned[name]} is outside {requirement.specifier}")
    if "--hash=sha256:" not in text:
        found.append("the lock carries no hashes")
    return found


def stamp() -> None:
    lines = [
        line for line in LOCK.read_text(encoding="utf-8").splitlines() if not line.startswith(STAMP_PREFIX)
    ]
    # After uv's two header comment lines, so the stamp sits with the "how it was made" note.
    lines.insert(2, STAMP_PREFIX + digest())
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv == ["stamp"]:
        stamp()
        return 0
    if argv == ["check"]:
        found = problems(LOCK.read_text(encoding="utf-8"))
        for problem in found:
            print(f"lock: {problem}; refresh it with `make lock`", file=sys.stderr)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
