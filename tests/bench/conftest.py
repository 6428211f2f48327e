"""Benchmarks: PostgreSQL only, results gathered into one table and var/bench/*.json."""

import json
import os
import platform
import statistics
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

RESULTS: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.exit("The benchmarks run on PostgreSQL: set DATABASE_URL.", returncode=2)


def record(name: str, timings_ms: list[float] | None = None, queries=None, **extra) -> dict:
    """Keep one scenario's figures for the table and the JSON file."""
    row = {"queries": queries, **extra}
    if timings_ms:
        row.update(
            median_ms=round(statistics.median(timings_ms), 2),
            p95_ms=round(statistics.quantiles(timings_ms, n=20)[-1], 2),
            requests=len(timings_ms),
        )
    RESULTS[name] = row
    return row


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    floor = RESULTS.get("floor", {}).get("p95_ms")
    size = os.environ.get("BENCH_CASES", "100000")
    write = terminalreporter.write_line
    write("")
    write(f"Benchmark at {int(size):,} cases ({os.cpu_count()} cores, {platform.machine()})")
    write(f"{'scenario':<34}{'median ms':>10}{'p95 ms':>10}{'× floor':>9}{'queries':>9}")
    for name, row in RESULTS.items():
        p95 = row.get("p95_ms")
        ratio = f"{p95 / floor:.1f}" if p95 and floor else ""
        row["ratio_to_floor"] = float(ratio) if ratio else None
        median = f"{row['median_ms']:.1f}" if "median_ms" in row else ""
        write(
            f"{name:<34}{median:>10}{(f'{p95:.1f}' if p95 else ''):>10}{ratio:>9}"
            f"{str(row.get('queries') or ''):>9}"
        )
        for key, value in row.items():
            if key not in {"median_ms", "p95_ms", "requests", "queries", "ratio_to_floor"}:
                write(f"{'':<6}{key}: {value}")
    folder = Path(settings.VAR_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{size}.json"
    path.write_text(json.dumps({"cases": int(size), "results": RESULTS}, indent=2))
    write(f"written to {path}")
