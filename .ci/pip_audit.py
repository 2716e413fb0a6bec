"""Known vulnerabilities in the pinned requirements, for .ci/run.

Runs pip-audit against PyPI's vulnerability data (the one service CI can reach) and decides:
- a vulnerability not in .ci/pip-audit-allow.txt: exit 1, CI is red;
- pip-audit could not run or reach the service: a loud warning, exit 0 (a closed network must
  not make CI red, but nobody may read the silence as "audited");
- packages the service did not know (skipped): a loud warning naming how many were not audited.
The allow-list has one `ID  reason` per line; `#` starts a comment; a line without a reason is
refused, so every accepted vulnerability says why."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOW_LIST = ROOT / ".ci" / "pip-audit-allow.txt"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
TIMEOUT_SECONDS = 900


def read_allow_list(text: str) -> dict[str, str]:
    allowed = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{ALLOW_LIST.name}:{number}: {vuln_id} has no reason")
        allowed[vuln_id] = reason.strip()
    return allowed


def verdict(returncode: int, report: str | None, stderr: str) -> tuple[int, list[str]]:
    """(exit code, lines to print) from what pip-audit left behind."""
    try:
        dependencies = json.loads(report)["dependencies"] if report else None
    except (ValueError, KeyError, TypeError):
        dependencies = None
    if dependencies is None:
        tail = stderr.strip().splitlines()[-5:]
        return 0, ["!" * 78, "WARNING: pip-audit did not run to the end (exit code "
                   f"{returncode}); the dependencies were NOT audited.", *tail, "!" * 78]
    found = [f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in "
             f"{', '.join(vuln.get('fix_versions') or ['no release yet'])})"
             for dep in dependencies for vuln in dep.get("vulns", [])]
    skipped = [dep["name"] for dep in dependencies if dep.get("skip_reason")]
    lines = []
    if skipped:
        lines += ["!" * 78, f"WARNING: {len(skipped)} of {len(dependencies)} packages could not "
                  "be audited (the vulnerability service did not know them):",
                  "  " + ", ".join(sorted(skipped)), "!" * 78]
    if found:
        return 1, lines + ["Known vulnerabilities (fix them, or add `ID  reason` to "
                           f"{ALLOW_LIST.relative_to(ROOT)}):", *("  " + f for f in found)]
    audited = len(dependencies) - len(skipped)
    return 0, lines + [f"pip-audit: no known vulnerability in {audited} audited packages"]


def main() -> int:
    allowed = read_allow_list(ALLOW_LIST.read_text() if ALLOW_LIST.exists() else "")
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "pip-audit.json"
        command = [sys.executable, "-m", "pip_audit", "--vulnerability-service", "pypi",
                   "--progress-spinner", "off", "--format", "json", "--output", str(output)]
        for name in REQUIREMENTS:
            command += ["--requirement", str(ROOT / name)]
        for vuln_id in allowed:
            command += ["--ignore-vuln", vuln_id]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=TIMEOUT_SECONDS)
            returncode, stderr = done.returncode, done.stderr
        except subprocess.TimeoutExpired:
            returncode, stderr = -1, f"timed out after {TIMEOUT_SECONDS} s"
        report = output.read_text() if output.exists() else None
    code, lines = verdict(returncode, report, stderr)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
