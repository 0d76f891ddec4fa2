"""The turn gate: a knowledge base swap waits for running turns and holds new ones back."""

from __future__ import annotations

import threading

from bot.turn_gate import TurnGate

WAIT = 10.0


def test_a_swap_waits_for_the_running_turn_and_holds_the_next_one() -> None:
    gate = TurnGate()
    events: list[str] = []
    in_turn, finish_turn = threading.Event(), threading.Event()
    swap_waiting, in_swap, finish_swap = threading.Event(), threading.Event(), threading.Event()

    def turn(name: str, started: threading.Event, finish: threading.Event) -> None:
        with gate.turn():
            events.append(f"{name} start")
            started.set()
            finish.wait(WAIT)
            events.append(f"{name} end")

    def swap() -> None:
        swap_waiting.set()
        with gate.swap():
            events.append("swap")
            in_swap.set()
            finish_swap.wait(WAIT)

    first = threading.Thread(target=turn, args=("first", in_turn, finish_turn))
    first.start()
    assert in_turn.wait(WAIT)
    swapper = threading.Thread(target=swap)
    swapper.start()
    assert swap_waiting.wait(WAIT)
    second_started, second_finish = threading.Event(), threading.Event()
    second = threading.Thread(target=turn, args=("second", second_started, second_finish))
    second.start()
    # Neither the swap nor the second turn may run while the first turn holds the gate.
    assert not in_swap.wait(0.05) and not second_started.is_set()
    finish_turn.set()
    assert in_swap.wait(WAIT)
    assert not second_started.is_set()  # held back while the swap runs
    finish_swap.set()
    assert second_started.wait(WAIT)
    second_finish.set()
    for thread in (first, swapper, second):
        thread.join(WAIT)
    assert events == ["first start", "first end", "swap", "second start", "second end"]
