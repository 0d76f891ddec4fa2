"""The status lifecycle: one table of transitions, everything else refused."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from storage.errors import InvalidTransition
from storage.lifecycle import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Status,
    allowed_transitions,
    check_transition,
)

ALLOWED = [(old, new) for old, targets in TRANSITIONS.items() for new in sorted(targets)]
REFUSED = [
    (old, new) for old, new in itertools.product(Status, Status) if new not in TRANSITIONS[old]
]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transition_returns_the_new_status(old: Status, new: Status) -> None:
    assert check_transition(old.value, new.value) is new


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_transition_outside_the_table_is_refused(old: Status, new: Status) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition(old.value, new.value)
    assert (caught.value.old, caught.value.new) == (old.value, new.value)


def test_the_main_path_and_reopening_are_allowed() -> None:
    path = ["novo", "em_atendimento", "aguardando_usuario", "em_atendimento", "resolvido"]
    for old, new in itertools.pairwise(path):
        check_transition(old, new)
    check_transition("resolvido", "em_atendimento")
    check_transition("resolvido", "fechado")


def test_closed_and_cancelled_tickets_are_final() -> None:
    assert {Status.FECHADO, Status.CANCELADO} == FINAL_STATUSES
    for final in FINAL_STATUSES:
        assert allowed_transitions(final) == frozenset()


def test_only_open_tickets_can_be_cancelled() -> None:
    cancellable = {old for old, targets in TRANSITIONS.items() if Status.CANCELADO in targets}
    assert cancellable == OPEN_STATUSES


def test_refusal_message_names_both_statuses_and_the_options() -> None:
    with pytest.raises(InvalidTransition, match=r"'resolvido' to 'novo'.*em_atendimento, fechado"):
        check_transition("resolvido", "novo")


def test_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        check_transition("arquivado", "novo")
    with pytest.raises(InvalidTransition):
        check_transition("novo", "arquivado")


def test_the_committed_diagram_matches_the_table() -> None:
    diagram = Path(__file__).parents[2] / "storage" / "lifecycle.mmd"
    edges = set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", diagram.read_text(), flags=re.MULTILINE))
    assert edges == {(old.value, new.value) for old, new in ALLOWED}
