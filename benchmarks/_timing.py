"""Shared timing helpers: best-of-N wall time, alternating runs, and figures against an anchor.

A benchmark reports each measurement as a :class:`Figure` (ours, the anchor measured in the same
run, the target), either by returning them from ``run()`` or by calling :func:`report`; the
runner (``python -m benchmarks``) gathers them into ``RESULTS.md``.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Callable, Optional

import attrs


@attrs.frozen
class Figure:
    """One measurement: ours against its anchor, in seconds, and the target it must meet.

    The target is a ratio (``max_ratio``: ours / anchor) or, where a ratio says nothing useful,
    an absolute limit (``max_seconds``); the anchor is shown either way.
    """

    title: str
    ours: float
    anchor: float
    anchor_name: str
    max_ratio: Optional[float] = None
    max_seconds: Optional[float] = None

    @property
    def ratio(self) -> float:
        return self.ours / self.anchor

    @property
    def target(self) -> str:
        if self.max_ratio is not None:
            return f"<= {self.max_ratio:g}x"
        return f"<= {self.max_seconds * 1e3:g} ms" if self.max_seconds is not None else "none"

    @property
    def ok(self) -> bool:
        if self.max_ratio is not None and self.ratio > self.max_ratio:
            return False
        return self.max_seconds is None or self.ours <= self.max_seconds

    @property
    def verdict(self) -> str:
        return "OK" if self.ok else "OVER TARGET"

    def lines(self) -> list[str]:
        return [
            self.title,
            f"  ours   {self.ours * 1e3:10.3f} ms",
            f"  {self.anchor_name:<6} {self.anchor * 1e3:10.3f} ms",
            f"  ratio  {self.ratio:10.3g}x   (target {self.target})  {self.verdict}",
        ]


_collected: ContextVar[Optional[list[Figure]]] = ContextVar("collected", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[list[Figure]]:
    """Every figure passed to :func:`report` while the block runs, in order."""
    figures: list[Figure] = []
    token = _collected.set(figures)
    try:
        yield figures
    finally:
        _collected.reset(token)


def show(figure: Figure) -> bool:
    """Print a figure, hand it to the runner if one is collecting, and say whether it met its target."""
    print("\n".join(figure.lines()))
    figures = _collected.get()
    if figures is not None:
        figures.append(figure)
    return figure.ok


def report(title: str, ours: float, anchor: float, anchor_name: str, target: float) -> bool:
    """A ratio figure: ``ours / anchor`` must be at most ``target``."""
    return show(Figure(title, ours, anchor, anchor_name, max_ratio=target))


def main(run: Callable[[], Sequence[Figure]]) -> int:
    """A benchmark module's ``main()``: run it, print its figures; 1 if any is over its target."""
    return 0 if all([show(figure) for figure in run()]) else 1


def best_of(func: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """The fastest of ``repeat`` runs of ``number`` calls, in seconds per call."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(number):
                func()
            elapsed = (time.perf_counter() - start) / number
        finally:
            gc.enable()
        best = min(best, elapsed)
    return best


def alternate(funcs: Sequence[Callable[[], object]], numbers: Sequence[int], rounds: int = 5) -> list[float]:
    """Best seconds per call of each function, run in turn (A, B, A, B …) so that drift on a busy
    machine hits every side alike; ``numbers[i]`` calls of ``funcs[i]`` per timed run."""
    best = [float("inf")] * len(funcs)
    for _ in range(rounds):
        for i, (func, number) in enumerate(zip(funcs, numbers)):
            best[i] = min(best[i], best_of(func, repeat=1, number=number))
    return best
