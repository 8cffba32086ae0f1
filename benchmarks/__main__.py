"""Run every benchmark and rewrite ``benchmarks/RESULTS.md``: ``python -m benchmarks``.

Each benchmark module either returns its figures from ``run()`` or prints them through
``_timing.report()`` from ``main()``; either way the runner gets them as data. Exits 1 if any
figure is over its target or a benchmark fails. ``python -m benchmarks bench_crypto …`` runs some.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import io
import os
import platform
import sys
import traceback
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Optional, TextIO

import attrs

from benchmarks._timing import Figure, collecting, show

#: every benchmark, in the order they run; adding one is adding its module name here
BENCHMARKS = ["bench_crypto", "bench_fake", "bench_server", "bench_fixture", "bench_cassettes"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PACKAGES = ["pytest-infisical", "pytest", "requests", "responses", "httpx", "cryptography", "pynacl", "moto", "boto3"]


@attrs.frozen
class Outcome:
    name: str
    figures: list[Figure]
    output: str  # everything the benchmark printed, figures included
    failed: bool  # raised, or returned non-zero for a reason its figures do not show


class _Tee(io.StringIO):
    def __init__(self, out: TextIO) -> None:
        super().__init__()
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text)
        return super().write(text)


def run_one(name: str) -> Outcome:
    module = importlib.import_module(f"benchmarks.{name}")
    tee = _Tee(sys.stdout)
    failed = False
    with contextlib.redirect_stdout(tee), collecting() as figures:
        try:
            if hasattr(module, "run"):
                for figure in module.run():
                    show(figure)
            else:
                failed = module.main() != 0 and all(f.ok for f in figures)
        except Exception:
            traceback.print_exc(file=tee)
            failed = True
    return Outcome(name, list(figures), tee.getvalue(), failed)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(package: str) -> Optional[str]:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _load() -> str:
    try:
        load = os.getloadavg()
    except OSError:
        return "load average unknown"
    busy = load[0] > (os.cpu_count() or 1)
    note = " (more runnable work than cores: absolute times are inflated, same-run ratios still hold)" if busy else ""
    return "load average {:.2f} {:.2f} {:.2f}".format(*load) + note


def machine(load_before: str, load_after: str) -> list[str]:
    versions = ", ".join(f"{p} {v}" for p in PACKAGES if (v := _version(p)) is not None)
    return [
        f"* date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* CPU: {_cpu_model()}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}",
        f"* Python: {platform.python_implementation()} {platform.python_version()}",
        f"* packages: {versions}",
        f"* before the run: {load_before}",
        f"* after the run: {load_after}",
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def render(outcomes: Sequence[Outcome], about_machine: list[str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks`. Each figure is a ratio against an anchor measured in the",
        "same run on the same machine; absolute times are shown for orientation only and move with the",
        "machine and its load.",
        "",
        *about_machine,
        "",
        "| benchmark | figure | ours | anchor | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for f in outcome.figures:
            lines.append(
                f"| `{outcome.name}` | {f.title} | {_ms(f.ours)} | {f.anchor_name} {_ms(f.anchor)} "
                f"| {f.ratio:.3g}x | {f.target} | {f.verdict} |"
            )
        if outcome.failed or not outcome.figures:
            lines.append(f"| `{outcome.name}` | FAILED: see its output below | | | | | FAILED |")
    lines += ["", "## Output", ""]
    for outcome in outcomes:
        lines += [f"### `{outcome.name}`", "", "```", outcome.output.rstrip(), "```", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
    names = list(argv) or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    load_before = _load()
    outcomes = []
    for name in names:
        outcomes.append(run_one(name))
        print()
    if names == BENCHMARKS:
        RESULTS.write_text(render(outcomes, machine(load_before, _load())) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")
    bad = any(o.failed or not o.figures or not all(f.ok for f in o.figures) for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
