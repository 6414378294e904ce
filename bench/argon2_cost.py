"""What one argon2id verification costs here: production parameters against the alternatives.

CPU time (``process_time``) of one core per verification, median and minimum of ``--rounds``; wall
time is printed too but depends on how busy the machine is. The production row is what
``yunmail.security.passwords`` uses; the others are OWASP's equivalent choices and the former
RFC 9106-style t = 3, m = 64 MiB.

Usage: ``.venv/bin/python bench/argon2_cost.py [--rounds 20]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import argon2

from yunmail.security import passwords

CASES = [
    ("production", passwords.TIME_COST, passwords.MEMORY_KIB),
    ("OWASP t=1 m=46 MiB", 1, 46 * 1024),
    ("OWASP t=3 m=12 MiB", 3, 12 * 1024),
    ("former t=3 m=64 MiB", 3, 64 * 1024),
]


def main(rounds: int) -> None:
    for name, time_cost, memory_kib in CASES:
        hasher = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        encoded = hasher.hash("Bench-secret-1")
        cpu: list[float] = []
        wall: list[float] = []
        for _ in range(rounds):
            c, w = time.process_time(), time.perf_counter()
            hasher.verify(encoded, "Bench-secret-1")
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        print(
            f"{name:22s} t={time_cost} m={memory_kib // 1024} MiB p=1: "
            f"cpu median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f}), "
            f"wall median {statistics.median(wall):.1f} ms (min {min(wall):.1f})",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    main(parser.parse_args().rounds)
