"""The Mermaid diagrams beside the flows name exactly the states the machine has."""

from __future__ import annotations

import re
from pathlib import Path

from flows.machine import STATES

FLOWS = Path(__file__).parents[2] / "flows"
TRANSITION = re.compile(r"^\s*(\[\*\]|\w+)\s*-->\s*(\w+)", re.MULTILINE)


def test_every_state_is_drawn_and_every_drawn_state_exists() -> None:
    drawn: set[str] = set()
    for diagram in FLOWS.glob("*.mmd"):
        for source, target in TRANSITION.findall(diagram.read_text(encoding="utf-8")):
            drawn |= {source, target} - {"[*]"}
    assert drawn == set(STATES)


def test_each_flow_module_has_its_diagram() -> None:
    for name in ("menu", "triage_questions", "intake", "my_tickets", "rating", "data_rights"):
        assert (FLOWS / f"{name}.mmd").is_file(), name
        assert (FLOWS / f"{name}.py").is_file(), name
