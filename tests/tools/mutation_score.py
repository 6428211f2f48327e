"""Print the score of the last `mutmut run` and its survivors (run in var/mutation/, the copy
`make mutation` works in, so mutmut's mutants/ never lands in the project's tree)."""

import json
import subprocess
import sys
from pathlib import Path

stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
# A mutant that makes the tests hang was noticed too: it counts as killed.
caught = stats["killed"] + stats["timeout"]
score = 100 * caught / stats["total"] if stats["total"] else 0.0
print(
    f"mutants: {stats['total']}, killed: {stats['killed']}, timed out: {stats['timeout']}, "
    f"survived: {stats['survived']}, no tests: {stats['no_tests']}; score {score:.1f}%"
)
results = subprocess.run(
    [sys.executable, "-m", "mutmut", "results"], capture_output=True, text=True, check=False
)
survivors = [line.strip() for line in results.stdout.splitlines() if "survived" in line]
for line in survivors:
    name = line.split(":")[0]
    print(f"  survived: {name} (see: cd var/mutation && ../../.venv/bin/mutmut show {name})")
