"""The README's catalog table lists exactly the assignments under assignments/, and what it says
about their data agrees with each assignment.toml."""

from __future__ import annotations

import re

from conftest import REPO, tomllib

ASSIGNMENTS = {p.name: tomllib.loads((p / "assignment.toml").read_text()) for p in (REPO / "assignments").iterdir() if (p / "assignment.toml").is_file()}


def catalog_rows() -> dict[str, str]:
    """id -> the rest of its row, from the README's `| id | ... |` table under "The catalog"."""
    section = (REPO / "README.md").read_text().split("## The catalog", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \|(.*)$", section, re.M)}


def test_the_catalog_lists_exactly_the_assignment_folders():
    assert sorted(catalog_rows()) == sorted(ASSIGNMENTS)


def test_each_folder_is_named_by_its_id_and_the_count_is_right():
    assert all(config["id"] == name for name, config in ASSIGNMENTS.items())
    words = {10: "Ten", 11: "Eleven", 12: "Twelve", 13: "Thirteen", 14: "Fourteen", 15: "Fifteen", 16: "Sixteen"}
    assert f"{words.get(len(ASSIGNMENTS), len(ASSIGNMENTS))} assignments ship" in (REPO / "README.md").read_text()


def test_rows_that_name_a_dataset_belong_to_assignments_that_declare_it():
    names = {"mnist": "MNIST", "cifar10": "CIFAR-10", "shakespeare": "Shakespeare"}
    for assignment, row in catalog_rows().items():
        declared = set(ASSIGNMENTS[assignment].get("data", []))
        for dataset, word in names.items():
            if dataset in declared:
                assert word.lower() in row.lower(), (assignment, dataset)
