"""How .ci/run reads pip-audit: a vulnerability turns CI red, a closed network or an unknown
package only warns (loudly), and every allow-listed vulnerability must say why."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "ci_pip_audit", Path(__file__).resolve().parents[2] / ".ci" / "pip_audit.py")
pip_audit = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pip_audit)


def _report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails():
    code, lines = pip_audit.verdict(1, _report(
        {"name": "jinja2", "version": "2.10", "vulns": [
            {"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "aliases": []}]},
        {"name": "flask", "version": "3.1.3", "vulns": []}), "")
    assert code == 1
    assert "  jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in lines


def test_a_clean_report_passes_and_says_how_many_were_audited():
    code, lines = pip_audit.verdict(0, _report({"name": "flask", "version": "3.1.3",
                                                "vulns": []}), "")
    assert code == 0 and lines == ["pip-audit: no known vulnerability in 1 audited packages"]


def test_packages_the_service_did_not_know_warn_without_failing():
    code, lines = pip_audit.verdict(0, _report(
        {"name": "flask", "skip_reason": "Dependency not found on PyPI"},
        {"name": "nh3", "version": "0.3.8", "vulns": []}), "")
    assert code == 0
    assert any("WARNING: 1 of 2 packages could not be audited" in line for line in lines)


@pytest.mark.parametrize("report", [None, "", "not json", '{"other": 1}'])
def test_an_unreachable_service_warns_loudly_and_does_not_fail(report):
    code, lines = pip_audit.verdict(1, report, "ConnectionError: pypi.org unreachable\n")
    assert code == 0
    assert any("NOT audited" in line for line in lines)
    assert "ConnectionError: pypi.org unreachable" in lines


def test_the_allow_list_needs_a_reason_for_every_entry():
    assert pip_audit.read_allow_list(
        "# comment\n\nGHSA-xxxx-yyyy  only in the dev server, not shipped\n") == {
        "GHSA-xxxx-yyyy": "only in the dev server, not shipped"}
    with pytest.raises(SystemExit, match="PYSEC-1 has no reason"):
        pip_audit.read_allow_list("PYSEC-1\n")
