"""Helpers shared by the tests of the data-building pipelines."""

from __future__ import annotations

from whylab.interventions.core import Builder


def record_skips(builder: Builder) -> list[tuple[str, str]]:
    """Make ``builder`` also record every skipped row as ``(row_id, reason)`` in the returned
    list, so a test can say which rows were dropped and why."""
    skips: list[tuple[str, str]] = []
    real_skip = builder.skip

    def skip(row_id: str, reason: str) -> None:
        skips.append((row_id, reason))
        real_skip(row_id, reason)

    builder.skip = skip  # type: ignore[method-assign]
    return skips
