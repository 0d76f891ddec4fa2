"""`triagem chat`: the Balcão Virtual's offices and the place one would take, and a polite word
that no attendant works in a terminal; nothing is queued."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from storage import make_engine
from storage.queue_tables import QueueEntry
from tests.desk.test_terminal import PNG, chat


def test_the_terminal_shows_the_office_and_says_the_call_cannot_happen_there(
    tmp_path: Path,
) -> None:
    (tmp_path / "print-da-tela.png").write_bytes(PNG)
    # "Quero ser atendido(a)", then "Entrar na fila" (or, out of hours, "Avise-me quando abrir").
    run = chat(tmp_path, "Balcão Virtual\n1\n1\n/fila\n/sair\n")
    assert run.returncode == 0, run.stderr
    assert "[1] ✅ Quero ser atendido(a)" in run.stdout and "[2] 📖 Como funciona" in run.stdout
    assert "Coordenadoria de Entrada e Distribuição de Recursos" in run.stdout
    assert "nesta conversa pelo terminal não há atendentes" in run.stdout
    assert "Vou abrir um chamado" not in run.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    with Session(engine) as session:
        assert session.exec(select(QueueEntry)).all() == []
    engine.dispose()
