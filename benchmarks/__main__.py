"""Run every benchmark: ``python -m benchmarks``. Exits 1 if any ratio is over its target."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench_crypto", "bench_fake", "bench_server", "bench_cassettes"]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        failed += module.main() != 0
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
