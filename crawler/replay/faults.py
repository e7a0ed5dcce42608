"""A fault: one damaged or unreadable stretch of the input, reported once and skipped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fault:
    """Where the input went wrong and why, printed as ``FILE:OFFSET: reason``."""

    file: str
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.offset}: {self.reason}"
