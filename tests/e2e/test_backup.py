"""`triagem db backup` while the bot writes, `triagem db restore` into a fresh directory, and the
ticket opened before the backup served by a bot on the restored store."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from storage.schema import head_revision

from .conftest import StartBot
from .harness import REPO, Person, bot_python

SLOW = 30.0


async def triagem(config: Path, *args: str) -> tuple[int, str, str]:
    """`python -m bot --config CONFIG ARGS` in a process of its own: exit code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGEM_")}
    env["PYTHONPATH"] = str(REPO)
    process = await asyncio.create_subprocess_exec(
        bot_python(),
        "-m",
        "bot",
        "--config",
        str(config),
        *args,
        cwd=config.parent,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def config_for(directory: Path, url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    return path


async def test_backup_while_writing_restores_into_a_fresh_directory_and_serves_the_ticket(
    start_bot: StartBot, tmp_path: Path
) -> None:
    first = await start_bot()
    ana = first.person("Ana")
    await ana.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc", SLOW)
    await ana.press("Usar a mensagem que enviei", SLOW)
    code = (await ana.press("Confirmar", SLOW)).opened_code()
    live = config_for(tmp_path / "live", first.app.config.storage.url)
    copy = tmp_path / "backups" / "triagem.db"
    copy.parent.mkdir()

    async def bia_chats() -> None:
        bia = first.person("Bia")
        for text in ("/start", "/ajuda", "o portal está fora do ar", "/meus_chamados"):
            assert (await bia.say(text, SLOW)).messages

    # The copy is taken from another process while the bot keeps answering Bia.
    (status, out, err), _ = await asyncio.gather(
        triagem(live, "db", "backup", str(copy)), bia_chats()
    )
    assert (status, err) == (0, ""), err
    assert f"to {copy}" in out and f"schema {head_revision()}" in out and "totp.key" in out
    assert copy.stat().st_mode & 0o777 == 0o600

    # The running bot's store is not overwritten, --force or not.
    status, _, err = await triagem(live, "db", "restore", str(copy), "--force")
    assert status == 1 and err.startswith("db restore: a running bot holds "), err
    await first.close()

    fresh = config_for(tmp_path / "fresh", f"sqlite:///{tmp_path / 'fresh' / 'data' / 'x.db'}")
    status, out, err = await triagem(fresh, "db", "restore", str(copy))
    assert (status, err) == (0, ""), err
    assert "restored" in out and f"schema {head_revision()}" in out
    # A second restore would replace the store: only with --force.
    status, _, err = await triagem(fresh, "db", "restore", str(copy))
    assert status == 1 and "add --force" in err

    second = await start_bot(
        environ={"TRIAGEM_STORAGE__URL": f"sqlite:///{fresh.parent}/data/x.db"}
    )
    ana_again = Person(second, ana.user)
    mine = await ana_again.say("/meus_chamados", SLOW)
    assert code in mine.text
    detail = await ana_again.say(f"/chamado {code}", SLOW)
    assert code in detail.text and "Tramitação processual" in detail.text
    assert second.ticket(code).offer_id == "eproc-2g"


async def test_postgresql_stores_are_pointed_to_pg_dump_and_pg_restore(tmp_path: Path) -> None:
    config = config_for(tmp_path, "postgresql://triagem:hunter2@127.0.0.1:5432/triagem")
    status, out, err = await triagem(config, "db", "backup", "triagem.dump")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and "pg_dump --format=custom --file 'triagem.dump'" in err
    assert "hunter2" not in err and "postgresql://triagem:***@127.0.0.1:5432/triagem" in err
    status, out, err = await triagem(config, "db", "restore", "triagem.dump")
    assert status == 1 and "pg_restore --clean --if-exists --no-owner --dbname" in err
