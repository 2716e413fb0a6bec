"""Tests as code: shared set-up lives in helper modules (tests/people.py, tests/dom.py, a
package's helpers.py or conftest.py), never in a test file that other tests import, and no test
reaches into another file's private helpers."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_test_modules():
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests."):
                last = node.module.rsplit(".", 1)[-1]
                private = [a.name for a in node.names if a.name.startswith("_")]
                if last.startswith("test_") or private:
                    yield f"{path.relative_to(TESTS)}: from {node.module} import " + \
                        ", ".join(a.name for a in node.names)


def test_no_test_imports_another_test_file_or_a_private_helper():
    found = list(_imported_test_modules())
    assert not found, "move what these share into a helper module:\n" + "\n".join(found)
