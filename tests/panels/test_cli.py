"""`flask panel select`: the organisers' CSV formats in, selected people and probabilities out,
exit code 2 with a readable reason for malformed files and unmeetable quotas."""
from __future__ import annotations

import csv
import hashlib

import pytest

from app.panels.cli import cli as panel_cli

CATEGORIES = "category,name,min,max\ngender,male,9,20\ngender,female,9,20\npolitics,con,9,20\npolitics,lib,9,20\n"


def people_csv(extra_rows: str = "") -> str:
    rows = ["id,name,gender,politics"]
    rows += [f"{i},Person {i},male,con" for i in range(1, 101)]
    rows += [f"{i},Person {i},female,lib" for i in range(101, 200)]
    rows += ["200,Person 200,female,con"]
    return "\n".join(rows) + "\n" + extra_rows


@pytest.fixture
def files(tmp_path):
    def make(categories=CATEGORIES, people=None):
        (tmp_path / "categories.csv").write_text(categories, encoding="utf-8")
        (tmp_path / "people.csv").write_text(people_csv() if people is None else people, encoding="utf-8")
        return tmp_path
    return make


def run(app, folder, *extra, size="20", algorithm="leximin"):
    args = ["select", "--categories", str(folder / "categories.csv"), "--people", str(folder / "people.csv"),
            "--size", size, "--algorithm", algorithm, "--seed", "7", "--out", str(folder / "selected.csv"),
            "--probabilities", str(folder / "probs.csv"), *extra]
    return app.test_cli_runner().invoke(panel_cli, args)


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_leximin_selects_a_panel_and_writes_every_probability(app, files):
    folder = files()
    result = run(app, folder, "--lottery", str(folder / "lottery.csv"), "--public-number", "31415")
    assert result.exit_code == 0, result.output
    selected = read(folder / "selected.csv")
    assert len(selected) == 20 and set(selected[0]) == {"id", "name", "gender", "politics"}
    assert 9 <= sum(row["gender"] == "male" for row in selected) <= 11
    probs = read(folder / "probs.csv")
    assert [row["id"] for row in probs] == [str(i) for i in range(1, 201)]
    assert all(row["probability"] == "0.100000" for row in probs)
    # The pick is re-runnable by anyone: 1 + SHA-256("31415") mod 1000 names the lottery row.
    number = 1 + int(hashlib.sha256(b"31415").hexdigest(), 16) % 1000
    assert f"picks panel {number} of 1000" in result.output
    lottery = read(folder / "lottery.csv")
    assert len(lottery) == 1000
    row = lottery[number - 1]
    assert row["panel"] == str(number)
    assert sorted(v for k, v in row.items() if k != "panel") == sorted(r["id"] for r in selected)
    assert "dual bound" in result.output


def test_the_same_inputs_pick_the_same_panel(app, files):
    folder = files()
    assert run(app, folder).exit_code == 0
    first = read(folder / "selected.csv")
    assert run(app, folder).exit_code == 0
    assert read(folder / "selected.csv") == first
    assert run(app, folder, "--public-number", "8").exit_code == 0
    assert read(folder / "selected.csv") != first


def test_feature_value_headers_a_bom_and_legacy(app, files):
    folder = files(categories="\ufefffeature,value,min,max,min_flex\n" + CATEGORIES.split("\n", 1)[1]
                   .replace("\n", ",0\n"))
    result = run(app, folder, algorithm="legacy")
    assert result.exit_code == 0, result.output
    assert len(read(folder / "selected.csv")) == 20
    assert "legacy" in result.output
    assert abs(sum(float(r["probability"]) for r in read(folder / "probs.csv")) - 20) < 1e-3


def test_first_column_is_the_id_without_an_id_column(app, files):
    folder = files(people=people_csv().replace("id,name", "number,name", 1))
    assert run(app, folder).exit_code == 0
    assert read(folder / "selected.csv")[0]["number"].isdigit()


@pytest.mark.parametrize("categories, people, message", [
    (CATEGORIES, people_csv("201,Someone,other,con\n"), "people.csv line 202: gender='other' is not a category"),
    (CATEGORIES, people_csv("5,Again,male,con\n"), "people.csv line 202: the id 5 is already on line 6"),
    (CATEGORIES.replace("gender,male,9,20", "gender,male,12,10"), None, "male has min 12 > max 10"),
    (CATEGORIES.replace("9,20", "nine,20", 1), None, "min must be a whole number"),
    (CATEGORIES, people_csv().replace(",politics", ",views", 1), "no column for the categories politics"),
    ("group,min,max\ngender,1,2\n", None, "needs the columns category,name,min,max"),
    (CATEGORIES + "gender,male,1,2\n", None, "gender=male is already on line 2"),
    ("", None, "categories.csv: the file is empty"),
])
def test_malformed_files_exit_2_with_the_reason(app, files, categories, people, message):
    result = run(app, files(categories=categories, people=people))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_unmeetable_quotas_exit_2_with_the_nearest_relaxation(app, files):
    folder = files(categories=CATEGORIES.replace("politics,lib,9,20", "politics,lib,25,30"))
    result = run(app, folder, size="30")
    assert result.exit_code == 2, result.output
    assert "no panel of 30 meets every quota" in result.output
    assert "politics: the minimums exceed the panel size 30 by 4" in result.output
    assert "Nearest quotas that can be met (changing 5 in total)" in result.output
    assert "politics=lib: min 25 -> 21" in result.output
    assert not (folder / "selected.csv").exists()


def test_a_pool_smaller_than_the_panel(app, files):
    result = run(app, files(categories=CATEGORIES.replace(",20\n", ",300\n")), size="250")
    assert result.exit_code == 2
    assert "the pool is 50 short of the panel size 250" in result.output


def test_the_command_is_registered_on_the_app(app):
    result = app.test_cli_runner().invoke(args=["panel", "select", "--help"])
    assert result.exit_code == 0 and "--probabilities" in result.output
