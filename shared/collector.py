"""The garbage collector's settings for a process that has finished starting.

A service process holds some 400,000 objects once it has imported FastAPI, SQLAlchemy, Pydantic
and its routes, and each request allocates thousands more that die young. With CPython's
defaults a young collection starts every 700 allocations and every full one walks the imported
objects again. Frozen, they are never walked again (and a forked child never copies their
pages by touching them); the young generation is collected every 50,000 allocations.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_ALLOCATIONS = 50_000


def settle() -> None:
    """Call once start-up's imports are done (serving, or a test worker that has collected)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_ALLOCATIONS, 20, 10)
