"""Print how each benchmark figure grows from one size to another.

python tests/bench/compare.py var/bench/bench-100000.json var/bench/bench-1000000.json

For each page: median and p95 at both sizes, the queries at both sizes, and the median
at the larger size as a multiple of the smaller one (the issue's bound: 1.3×, with the
same number of queries).
"""

import json
import sys

LIMIT = 1.3


def main(small_path: str, large_path: str) -> int:
    small, large = (json.load(open(path)) for path in (small_path, large_path))
    print(f"\nFrom {small['cases']:,} to {large['cases']:,} cases")
    print(f"{'scenario':<34}{'median ms':>18}{'p95 ms':>18}{'queries':>10}{'× median':>10}")
    over = []
    for name, after in large["results"].items():
        before = small["results"].get(name, {})
        if "median_ms" not in after or "median_ms" not in before:
            continue
        growth = after["median_ms"] / before["median_ms"] if before["median_ms"] else 0
        queries = f"{before.get('queries')} → {after.get('queries')}"
        flag = ""
        if growth > LIMIT or before.get("queries") != after.get("queries"):
            flag = "  <-- grows"
            over.append(name)
        print(
            f"{name:<34}{before['median_ms']:>8.1f} → {after['median_ms']:<7.1f}"
            f"{before['p95_ms']:>8.1f} → {after['p95_ms']:<7.1f}{queries:>10}"
            f"{growth:>9.2f}×{flag}"
        )
    if over:
        print(f"\nGrowing by more than {LIMIT}× or changing their queries: {', '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
