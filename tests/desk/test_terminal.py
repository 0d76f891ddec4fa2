"""`triagem chat` as a real process: transcripts replayed through stdin, then the database read.

Transcripts (tests/desk/transcripts/*.txt) hold one typed line per line, as `triagem chat <
file` reads them: numbers press the buttons of the last message, and `{attachment}` stands for
the path of a real file the test writes (an existing path is sent as an attachment).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import make_engine

from .driver import all_tickets, stored_attachments

TRANSCRIPTS = Path(__file__).parent / "transcripts"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 120


@dataclass(frozen=True)
class Run:
    """What one `python -m bot chat` process printed and returned."""

    returncode: int
    stdout: str
    stderr: str

    def codes(self, prefix: str) -> list[str]:
        """Ticket codes with this prefix announced in the output."""
        return re.findall(rf"Código: ({prefix}-[A-Z0-9]{{6}})", self.stdout)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The process's working directory, with a file to attach."""
    (tmp_path / "print-da-tela.png").write_bytes(PNG)
    return tmp_path


@pytest.fixture
def database(workdir: Path) -> Iterator[Engine]:
    """The SQLite file the process uses, for reading its rows afterwards."""
    engine = make_engine(f"sqlite:///{workdir / 't.db'}")
    yield engine
    engine.dispose()


def chat(workdir: Path, stdin: str, *options: str, url: str | None = None) -> Run:
    """Run `python -m bot [options] chat` in `workdir` with this input."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env["TRIAGEM_STORAGE__URL"] = url or f"sqlite:///{workdir / 't.db'}"
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        [sys.executable, "-m", "bot", *options, "chat"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=workdir,
        env=env,
        timeout=120,
        check=False,
    )
    run = Run(done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    return run


def replay(workdir: Path, name: str) -> Run:
    """Replay a transcript; it must end normally (/sair, exit code 0, nothing on stderr)."""
    lines = (TRANSCRIPTS / f"{name}.txt").read_text(encoding="utf-8")
    run = chat(workdir, lines.replace("{attachment}", str(workdir / "print-da-tela.png")))
    assert (run.returncode, run.stderr) == (0, ""), run.stderr
    assert lines.rstrip().endswith("/sair")
    return run


def test_article_transcript_solves_the_problem_and_opens_no_ticket(
    workdir: Path, database: Engine
) -> None:
    run = replay(workdir, "article_solved")

    assert "Eu sou o Triagem" in run.stdout
    assert "obter a hora automaticamente pela rede" in run.stdout
    assert "[1] ✅ Resolveu" in run.stdout
    assert "Que bom que resolveu" in run.stdout
    assert all_tickets(database) == []


def test_redistribution_transcript_opens_an_eproc_2g_ticket(
    workdir: Path, database: Engine
) -> None:
    run = replay(workdir, "eproc_2g_redistribution")

    [code] = run.codes("EPS")
    assert "Categoria: Tramitação processual" in run.stdout
    assert "Posição na fila: 1º" in run.stdout
    assert f"{code} · eproc 2º Grau · Tramitação processual · Novo (na fila)" in run.stdout
    [ticket] = all_tickets(database)
    assert (ticket.code, ticket.offer_id, ticket.category) == (code, "eproc-2g", "tramitacao")


def test_sei_transcript_opens_a_ticket_with_every_field_and_the_file(
    workdir: Path, database: Engine
) -> None:
    run = replay(workdir, "sei_every_field")

    [code] = run.codes("SEI")
    assert "Recebi: print-da-tela.png" in run.stdout
    assert "Prazo de solução: até 5 dias (até " in run.stdout
    [ticket] = all_tickets(database)
    assert ticket.code == code
    assert ticket.fields == {
        "orgao": "SAMOP",
        "nome": "Maria da Conceição Souza",
        "email": "maria.souza@ma.gov.br",
        "descricao": "O processo 2025.123 sumiu da unidade SEAD desde ontem.",
    }
    assert ticket.due_at is not None
    assert ticket.due_at - ticket.created_at == timedelta(hours=120)
    [attachment] = stored_attachments(database, ticket)
    path = workdir / "print-da-tela.png"
    assert (attachment.file_id, attachment.file_name) == (path.resolve().as_uri(), path.name)
    assert (attachment.size, attachment.mime_type, attachment.kind) == (
        len(PNG),
        "image/png",
        "photo",
    )


def test_portal_transcript_opens_a_four_hour_paralysis_defect(
    workdir: Path, database: Engine
) -> None:
    run = replay(workdir, "portal_out_of_service")

    [code] = run.codes("SUP")
    assert "Anote o código" in run.stdout
    assert "Prazo de solução: até 4 horas corridas (até " in run.stdout
    [ticket] = all_tickets(database)
    assert (ticket.code, ticket.offer_id) == (code, "suporte-tecnico")
    assert (ticket.category, ticket.priority) == ("defeito-com-paralisacao", 1)
    assert ticket.due_at is not None
    assert ticket.due_at - ticket.created_at == timedelta(hours=4)


def test_infoeproc_transcript_is_redirected_to_eproc_support(
    workdir: Path, database: Engine
) -> None:
    run = replay(workdir, "infoeproc_redirected")

    assert "NÃO se destina a pedido de suporte" in run.stdout
    [code] = run.codes("EPR")
    assert run.codes("INF") == []
    assert [(t.code, t.offer_id) for t in all_tickets(database)] == [(code, "eproc-1g")]


def test_a_second_run_resumes_the_form_left_midway(workdir: Path, database: Engine) -> None:
    first = replay(workdir, "sei_left_midway")
    last = first.stdout.rstrip().rsplit("\n> ", 1)[-1]
    assert "digite o e-mail (Email) mais uma vez: maria.souza@ma.gov.br" in last
    assert all_tickets(database) == []

    second = replay(workdir, "sei_resumed")

    greeting = second.stdout.split("\n> ", 1)[0]
    assert "digite o e-mail (Email) mais uma vez: maria.souza@ma.gov.br" in greeting
    assert "Eu sou o Triagem" not in greeting
    [code] = second.codes("SEI")
    [ticket] = all_tickets(database)
    assert ticket.code == code
    assert ticket.fields == {
        "orgao": "SEDUC – Secretaria de Estado da Educação",
        "nome": "Maria da Conceição Souza",
        "email": "maria.souza@ma.gov.br",
        "descricao": "um processo sumiu da minha unidade no SEI",
    }
    assert len(stored_attachments(database, ticket)) == 1


def test_sair_ends_at_once_with_exit_code_0(workdir: Path) -> None:
    run = chat(workdir, "/sair\nisto não é lido\n")

    assert (run.returncode, run.stderr) == (0, "")
    assert "Eu sou o Triagem" in run.stdout
    assert "isto não é lido" not in run.stdout


def test_end_of_input_ends_with_exit_code_0(workdir: Path) -> None:
    run = chat(workdir, "/meus_chamados\n")

    assert (run.returncode, run.stderr) == (0, "")
    assert "> /meus_chamados" in run.stdout
    assert "Você ainda não tem chamados" in run.stdout


def test_a_missing_config_file_is_one_line_and_exit_code_2(workdir: Path) -> None:
    run = chat(workdir, "/sair\n", "--config", "nao-existe.toml")

    assert run.returncode == 2
    assert run.stderr.splitlines() == ["config error: nao-existe.toml: config file not found"]
    assert run.stdout == ""


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql://postgres@127.0.0.1:1/test", id="server-refuses"),
        pytest.param("nonsense", id="unparseable"),
        pytest.param("foo://x/y", id="unknown-dialect"),
        pytest.param("mysql://u@localhost/x", id="driver-missing"),
        pytest.param("sqlite:////proc/triagem/t.db", id="sqlite-dir-uncreatable"),
    ],
)
def test_a_bad_storage_url_is_one_line_on_stderr_and_a_failure_exit(
    workdir: Path, url: str
) -> None:
    run = chat(workdir, "/sair\n", url=url)

    assert run.returncode != 0
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stderr.startswith("storage error: ")


def test_a_number_after_a_message_without_buttons_is_typed_text(workdir: Path) -> None:
    run = chat(workdir, "O eproc diz que o código de autenticação é inválido\n1\n2\n/sair\n")

    assert "Que bom que resolveu" in run.stdout
    after = run.stdout.rsplit("\n> 2\n", 1)[1]
    assert "não entendi essa resposta" not in after
