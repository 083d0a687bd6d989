"""How big a synthetic month is (`services.sample_data` generates it).

On its own so that ``xinao-xl demo --help`` can show the demo's size without importing the
workbook writers behind the generator (cli/__init__.py: start-up).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleSize:
    """How much to generate; the default is small (the demo), `BENCH` the benchmark month."""

    callbacks: int = 300
    complaints: int = 8


SMALL = SampleSize()
BENCH = SampleSize(callbacks=10_000, complaints=300)
