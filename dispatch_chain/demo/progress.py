"""Progress lines for long work: numbered steps with timing, and counters."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Prints ``[i/n] step ... done (t s)`` and in-place counters on a terminal."""

    def __init__(self, total_steps: int, stream: TextIO = sys.stderr) -> None:
        self.total = total_steps
        self.index = 0
        self.stream = stream
        self.tty = stream.isatty()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.index += 1
        started = time.monotonic()
        self.stream.write(f"[{self.index}/{self.total}] {title} ...\n")
        self.stream.flush()
        yield
        self.stream.write(f"[{self.index}/{self.total}] {title}: done ({time.monotonic() - started:.1f} s)\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        self.stream.write(f"      {message}\n")
        self.stream.flush()

    def count(self, label: str, done: int, total: int) -> None:
        """A counter: rewritten in place on a terminal, every 10 % otherwise."""
        if self.tty:
            self.stream.write(f"\r      {label}: {done}/{total}")
            if done == total:
                self.stream.write("\n")
        elif done == total or total < 10 or done % max(1, total // 10) == 0:
            self.stream.write(f"      {label}: {done}/{total}\n")
        self.stream.flush()
