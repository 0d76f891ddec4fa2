"""clocks.toml: business calendars per offer, and lint errors with file:line."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

from bot.cli import main
from bot.config import BUNDLED_KB
from knowledge_base.calendar import Window
from knowledge_base.loader import read_knowledge_base

BAD = """\
[sei]
contagem = "semanas"

[suporte-tecnico]
contagem = "expediente"
horario = { seg = ["08:00-12:00", "25:00-26:00"], xyz = ["08:00-09:00"], ter = "18:00-08:00" }
fechado = ["2026-13-01"]

[nao-existe]
contagem = "corridas"
"""

GOOD = """\
[sei]
contagem = "dias_uteis"
fechado = ["2026-12-24"]

[suporte-tecnico]
contagem = "expediente"
horario = { seg = ["08:00-12:00", "13:00-18:00"], sab = "09:00-24:00" }
feriados_nacionais = false
fuso = "America/Manaus"
"""


def kb_with(tmp_path: Path, clocks: str) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(BUNDLED_KB, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (root / "clocks.toml").write_text(clocks, encoding="utf-8")
    return root


def test_malformed_calendars_are_lint_errors_with_file_and_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = kb_with(tmp_path, BAD)
    assert main(["kb", "lint", str(root)]) != 0
    out = capsys.readouterr()
    lines = (out.out + out.err).splitlines()
    where = f"{root / 'clocks.toml'}"
    expected = [
        f"{where}:2: oferta 'sei': contagem 'semanas' inválida (corridas, dias_uteis, expediente)",
        f"{where}:6: oferta 'suporte-tecnico': janela '25:00-26:00': hora inválida",
        f"{where}:6: oferta 'suporte-tecnico': dia 'xyz' inválido",
        f"{where}:6: oferta 'suporte-tecnico': janela '18:00-08:00': o fim vem antes do início",
        f"{where}:7: oferta 'suporte-tecnico': data '2026-13-01' inválida (use AAAA-MM-DD)",
        f"{where}:9: aviso: oferta desconhecida 'nao-existe'",
    ]
    for line in expected:
        assert any(line in printed for printed in lines), (line, lines)


def test_business_days_and_hours_are_read_into_calendars(tmp_path: Path) -> None:
    kb, problems = read_knowledge_base(kb_with(tmp_path, GOOD))
    assert problems == []
    sei = kb.clocks["sei"].calendar
    assert sei is not None and sei.national_holidays and sei.closures == {date(2026, 12, 24)}
    assert [w.weekday for w in sei.windows] == [0, 1, 2, 3, 4]
    support = kb.clocks["suporte-tecnico"].calendar
    assert support is not None and support.timezone == "America/Manaus"
    assert not support.national_holidays
    assert support.windows == (
        Window(0, time(8), time(12)),
        Window(0, time(13), time(18)),
        Window(5, time(9), time.max),
    )


def test_the_bundled_clocks_count_running_hours() -> None:
    kb, problems = read_knowledge_base(BUNDLED_KB)
    assert problems == []
    assert {o: r.calendar for o, r in kb.clocks.items()} == {"suporte-tecnico": None, "sei": None}
