"""How many tests and assertions the suite holds, so a change that makes it faster can show it
removed none (issue 12): `python -m bench.assert_count` prints the `assert` statements per folder
of tests/ (pytest's own `--collect-only -q` gives the tests collected).

An assertion is an `assert` statement; `pytest.raises` blocks and helper calls that assert
inside (ok(), refused()) are counted where their `assert` is written, once."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def count(root: Path = TESTS) -> Counter[str]:
    per_folder: Counter[str] = Counter()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        folder = path.relative_to(root).parts[0] if len(path.relative_to(root).parts) > 1 else "."
        per_folder[folder] += sum(isinstance(node, ast.Assert) for node in ast.walk(tree))
        # Asserts written in the tests themselves (not in shared checkers and builders, whose
        # copies issue 12 merged): this figure must not fall when the suite is reorganised.
        per_folder["in test functions"] += sum(
            isinstance(inner, ast.Assert)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
            for inner in ast.walk(node)
        )
        per_folder["pytest.raises"] += sum(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "raises"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "pytest"
            for node in ast.walk(tree)
        )
    return per_folder


def main() -> None:
    counts = count()
    raises = counts.pop("pytest.raises")
    in_tests = counts.pop("in test functions")
    for folder, n in sorted(counts.items()):
        print(f"{folder:14} {n:5}")
    print(f"{'assert total':14} {sum(counts.values()):5}")
    print(f"{'in test_*()':14} {in_tests:5}")
    print(f"{'pytest.raises':14} {raises:5}")
    sys.exit(0)


if __name__ == "__main__":
    main()
