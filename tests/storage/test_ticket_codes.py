"""Ticket codes: readable format, unambiguous alphabet, typed-in variants, unique in the DB."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.errors import CodeSpaceExhausted
from storage.tables import Ticket, User
from storage.ticket_codes import ALPHABET, insert_with_unique_code, new_code, normalize_code

from .conftest import NOW


def test_code_is_prefix_dash_six_unambiguous_characters() -> None:
    assert re.fullmatch(rf"EPR-[{ALPHABET}]{{6}}", new_code("EPR"))


def test_alphabet_leaves_out_characters_people_confuse() -> None:
    assert not set("0O1ILU") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 30


def test_codes_draw_from_the_whole_alphabet() -> None:
    # 2000 codes hold 12000 draws; missing one of 30 symbols has odds below 1e-170.
    seen = {char for _ in range(2000) for char in new_code("SEI")[4:]}
    assert seen == set(ALPHABET)


@pytest.mark.parametrize("prefix", ["", "E", "EPROC", "ep", "E1"])
def test_prefix_must_be_two_to_four_capitals(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        new_code(prefix)


@pytest.mark.parametrize(
    "typed",
    [
        "EPR-7K3Q9X",
        "epr-7k3q9x",
        " epr 7k3q9x ",
        "epr7k3q9x",
        "EPR_7K3Q9X",
        "Epr - 7K3 Q9X",
        "EPR7K3 Q9X",
        "epr.7k3q9x",
    ],
)
def test_normalize_accepts_what_users_type(typed: str) -> None:
    assert normalize_code(typed) == "EPR-7K3Q9X"


@pytest.mark.parametrize(
    "typed",
    ["", "EPR-7K3Q9", "EPR-7K3Q9XX", "EPR-7K3Q9O", "EPROC-7K3Q9X", "1234567", "oi"],
)
def test_normalize_rejects_what_cannot_be_a_code(typed: str) -> None:
    assert normalize_code(typed) is None


def _ticket(code: str = "") -> Ticket:
    return Ticket(
        code=code,
        offer_id="sei",
        status="novo",
        priority=3,
        fields={},
        created_at=NOW,
        updated_at=NOW,
    )


def _codes(*codes: str) -> Callable[[str], str]:
    remaining: Iterator[str] = iter(codes)
    return lambda prefix: next(remaining)


def test_collision_draws_another_code_and_keeps_the_transaction(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user(1001)
    insert_with_unique_code(session, _ticket(), prefix="SEI", generate=_codes("SEI-AAAAAA"))
    second = insert_with_unique_code(
        session, _ticket(), prefix="SEI", generate=_codes("SEI-AAAAAA", "SEI-BBBBBB")
    )
    session.commit()

    assert second.code == "SEI-BBBBBB"
    codes = session.exec(select(Ticket.code).order_by(Ticket.code)).all()
    assert codes == ["SEI-AAAAAA", "SEI-BBBBBB"]
    # Work flushed before the collision survived the savepoint's rollback.
    assert session.get(User, user.id) is not None


def test_endless_collisions_give_up_with_a_clear_error(session: Session) -> None:
    insert_with_unique_code(session, _ticket(), prefix="SEI", generate=_codes("SEI-AAAAAA"))
    with pytest.raises(CodeSpaceExhausted, match="SEI"):
        insert_with_unique_code(session, _ticket(), prefix="SEI", generate=lambda p: "SEI-AAAAAA")


def test_the_unique_index_refuses_a_duplicate_code(session: Session) -> None:
    session.add(_ticket("SEI-CCCCCC"))
    session.flush()
    session.add(_ticket("SEI-CCCCCC"))
    with pytest.raises(IntegrityError):
        session.flush()


@given(
    prefix=st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4),
    suffix=st.text(alphabet=ALPHABET, min_size=6, max_size=6),
    separator=st.sampled_from(["-", " ", "", " - ", "_", "."]),
    lower=st.booleans(),
)
def test_any_code_typed_with_any_case_and_separator_normalizes_back(
    prefix: str, suffix: str, separator: str, lower: bool
) -> None:
    typed = f" {prefix}{separator}{suffix} "
    assert normalize_code(typed.lower() if lower else typed) == f"{prefix}-{suffix}"
