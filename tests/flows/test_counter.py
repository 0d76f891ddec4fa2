"""The attendants' decisions (flows/counter_decisions.py): who may call, which office, the
minute."""

from __future__ import annotations

from flows.counter_decisions import (
    Answer,
    Attendance,
    Call,
    CounterView,
    End,
    Miss,
    OfficeSeat,
    Record,
    decide,
    window_expired,
)

LINK = "https://teams.microsoft.com/l/x"
CIVEL = OfficeSeat("civel", "2ª Vara Cível", LINK, anyone_waiting=True)
FAMILIA = OfficeSeat("familia", "Vara de Família", "", anyone_waiting=False)


def test_an_attendant_calls_the_only_office_with_people_waiting() -> None:
    assert decide("proximo", "", CounterView((CIVEL, FAMILIA), "ok")) == [Call("civel", LINK)]


def test_someone_who_is_not_an_attendant_is_refused_and_audited() -> None:
    assert decide("proximo", "", CounterView((CIVEL,), "not_agent")) == [
        Answer("desk/refused_not_agent"),
        Record("queue_proximo", "refused", {"reason": "not_agent"}),
    ]


def test_an_empty_queue_and_a_missing_link_are_explained() -> None:
    empty = OfficeSeat("civel", "2ª Vara Cível", LINK, anyone_waiting=False)
    assert decide("proximo", "", CounterView((empty,), "ok"))[0] == Answer(
        "queue/empty", {"office": "2ª Vara Cível"}
    )
    waiting = OfficeSeat("familia", "Vara de Família", "", anyone_waiting=True)
    assert decide("proximo", "", CounterView((waiting,), "ok"))[0].template == "queue/need_link"  # type: ignore[union-attr]
    assert decide("proximo", f"familia {LINK}", CounterView((waiting,), "ok")) == [
        Call("familia", LINK)
    ]


def test_several_offices_waiting_ask_which_with_a_button_each() -> None:
    familia = OfficeSeat("familia", "Vara de Família", LINK, anyone_waiting=True)
    [answer] = decide("proximo", "", CounterView((CIVEL, familia), "ok"))
    assert isinstance(answer, Answer) and answer.template == "queue/which_office"
    assert answer.next_buttons == (("civel", "2ª Vara Cível"), ("familia", "Vara de Família"))
    assert decide("proximo", "familia", CounterView((CIVEL, familia), "ok")) == [
        Call("familia", LINK)
    ]


def test_one_attendance_at_a_time_and_encerrar_ends_it() -> None:
    serving = Attendance(7, "civel", "serving", "Maria")
    view = CounterView((CIVEL,), "ok", serving)
    assert decide("proximo", "", view)[0] == Answer(
        "queue/finish_first", {"name": "Maria", "office": "2ª Vara Cível"}
    )
    assert decide("encerrar", "", view) == [End(7), Record("queue_encerrar", details={"entry": 7})]
    assert decide("encerrar", "", CounterView((CIVEL,), "ok"))[0] == Answer("queue/nothing_to_end")


def test_the_minute_ends_a_call_still_unanswered_and_calls_the_next() -> None:
    called = Attendance(7, "civel", "called", "Maria")
    assert window_expired(called, CIVEL) == [
        Miss(7),
        Record("queue_missed", details={"entry": 7}),
        Call("civel", LINK),
    ]
    confirmed = Attendance(7, "civel", "serving", "Maria")
    assert window_expired(confirmed, CIVEL) == []
    assert window_expired(called, FAMILIA) == [
        Miss(7),
        Record("queue_missed", details={"entry": 7}),
    ]
