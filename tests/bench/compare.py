"""Print how each benchmark figure grows from one size to another.

python tests/bench/compare.py var/bench/bench-10000.json var/bench/bench-100000.json
"""

import json
import sys


def main(small_path: str, large_path: str) -> None:
    small, large = (json.load(open(path)) for path in (small_path, large_path))
    print(f"\nFrom {small['cases']:,} to {large['cases']:,} cases")
    print(f"{'scenario':<34}{'p95 ms':>16}{'× floor':>14}{'queries':>12}")
    for name, after in large["results"].items():
        before = small["results"].get(name, {})
        if "p95_ms" not in after:
            continue

        def pair(key, row_before=before, row_after=after):
            first, second = row_before.get(key), row_after.get(key)
            return f"{first if first is not None else '–'} → {second}"

        print(f"{name:<34}{pair('p95_ms'):>16}{pair('ratio_to_floor'):>14}{pair('queries'):>12}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
