"""Shared timing helpers: best-of-N wall time, and a ratio line against an anchor."""

from __future__ import annotations

import gc
import time
from typing import Callable


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


def report(title: str, ours: float, anchor: float, anchor_name: str, target: float) -> bool:
    ratio = ours / anchor
    ok = ratio <= target
    print(f"{title}")
    print(f"  ours   {ours * 1e3:10.3f} ms")
    print(f"  {anchor_name:<6} {anchor * 1e3:10.3f} ms")
    print(f"  ratio  {ratio:10.2f}x   (target <= {target}x)  {'OK' if ok else 'OVER TARGET'}")
    return ok
