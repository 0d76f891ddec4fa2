"""Live reload in the running bot: an edited article reaches users without a restart, a broken
edit is refused (old base kept, agents told once), and no turn is lost to a reload."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from knowledge_base.version import content_version
from tests.in_process_bot import BotSite

from .conftest import StartBot
from .harness import RunningBot

BUNDLED = Path(__file__).resolve().parents[2] / "knowledge_base"
CODE_ARTICLE = "eproc-2fa-codigo-invalido"
OLD_TEXT = "obter a hora automaticamente pela rede"
NEW_TEXT = "sincronizar o relógio do celular com a rede"
ASK_CODE = "O eproc fala que o código de autenticação é inválido, o que eu faço?"
# Generous bounds on waits for events (a busy 2-core machine), not sleeps.
WAIT = 20.0


def _copy_kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(BUNDLED, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _article(root: Path, article_id: str) -> Path:
    return root / "articles" / f"{article_id}.md"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def _start(start_bot: StartBot, root: Path, *, live: bool, **env: str) -> RunningBot:
    environ = {
        "TRIAGEM_KNOWLEDGE_BASE__PATH": str(root),
        "TRIAGEM_KNOWLEDGE_BASE__LIVE_RELOAD": "true" if live else "false",
        **env,
    }
    return await start_bot(environ=environ)


async def test_an_edited_article_reaches_users_without_a_restart(
    start_bot: StartBot, tmp_path: Path
) -> None:
    root = _copy_kb(tmp_path)
    bot = await _start(start_bot, root, live=True)
    knowledge = bot.runtime.knowledge
    before = knowledge.version
    assert before == content_version(root)
    await asyncio.wait_for(knowledge.watching.wait(), WAIT)

    _replace(_article(root, CODE_ARTICLE), OLD_TEXT, NEW_TEXT)
    await asyncio.wait_for(knowledge.reloaded.wait(), WAIT)

    assert knowledge.last is not None and knowledge.last.result == "reloaded"
    assert knowledge.version == content_version(root) != before
    assert knowledge.status() == {
        "version": knowledge.version,
        "last_reload": "reloaded",
        "last_seen": knowledge.version,
    }
    answer = await bot.person("Ana").say(ASK_CODE)
    assert NEW_TEXT in answer.text and OLD_TEXT not in answer.text


async def test_a_broken_edit_is_refused_the_old_base_kept_and_agents_told_once(
    start_bot: StartBot, bot_site: BotSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = _copy_kb(tmp_path)
    group = bot_site.server.add_group("Mesa", forum=False)
    bot = await _start(start_bot, root, live=False, TRIAGEM_TELEGRAM__AGENT_CHAT_ID=str(group.id))
    before = bot.runtime.knowledge.version
    path = _article(root, CODE_ARTICLE)
    title = path.read_text(encoding="utf-8").splitlines()[2]
    assert title.startswith('title: "') and title.endswith('"')
    _replace(path, title, title[:-1])  # the closing quote of line 3 deleted

    with caplog.at_level(logging.WARNING, logger="bot.kb_reload"):
        first = await bot.runtime.knowledge.reload_async()
        again = await bot.runtime.knowledge.reload_async()

    assert (first.result, again.result) == ("refused", "refused")
    assert bot.runtime.knowledge.version == before
    assert bot.runtime.knowledge.status() == {
        "version": before,
        "last_reload": "refused",
        "last_seen": content_version(root),
    }
    assert f"{path}:3: aspas abertas e não fechadas" in caplog.text
    await bot.settle(group.id)
    told = [m.body for m in bot.server.sent_messages(group.id)]
    assert len(told) == 1
    assert told[0].startswith("⚠️ Base de conhecimento não recarregada: 1 problema em articles/")
    assert before in told[0]
    answer = await bot.person("Bia").say(ASK_CODE)
    assert OLD_TEXT in answer.text


async def test_a_conversation_survives_the_removal_of_its_article(
    start_bot: StartBot, tmp_path: Path
) -> None:
    root = _copy_kb(tmp_path)
    bot = await _start(start_bot, root, live=False)
    caio = bot.person("Caio")
    shown = await caio.say("O que cada perfil faz no eproc da procuradoria?")
    assert "Perfis de usuários do eproc" in shown.text

    _article(root, "eproc-perfis").unlink()
    assert (await bot.runtime.knowledge.reload_async()).result == "reloaded"
    after = await caio.press("Não resolveu")

    assert "não consegui retomar o atendimento anterior" in after.text
    assert "Traceback" not in after.text


async def test_a_reload_during_a_burst_of_turns_loses_no_turn(
    start_bot: StartBot, tmp_path: Path
) -> None:
    root = _copy_kb(tmp_path)
    bot = await _start(start_bot, root, live=False)
    people = [bot.person(f"Pessoa {n}") for n in range(12)]
    path = _article(root, CODE_ARTICLE)
    texts = [OLD_TEXT, NEW_TEXT]

    async def reloads() -> list[str]:
        results = []
        for n in range(4):
            _replace(path, texts[n % 2], texts[(n + 1) % 2])
            results.append((await bot.runtime.knowledge.reload_async()).result)
        return results

    updates = []
    for person in people:
        bot.server.user_sends_text(person.user, ASK_CODE)
        updates.append(int(bot.server.pending_updates[-1]["update_id"]))
    results = await reloads()
    turns = [await bot.turn(p.id, u) for p, u in zip(people, updates, strict=True)]

    assert results == ["reloaded"] * 4
    assert all("Código de autenticação inválido" in t.text for t in turns)
    assert all(OLD_TEXT in t.text or NEW_TEXT in t.text for t in turns)
    assert {u.status for u in bot.inbox()} == {"done"}
    assert len(bot.inbox()) == len(people)


async def test_a_form_in_progress_survives_the_removal_of_its_offer(
    start_bot: StartBot, tmp_path: Path
) -> None:
    root = _copy_kb(tmp_path)
    bot = await _start(start_bot, root, live=False)
    dora = bot.person("Dora")
    form = await dora.say("quero abrir um chamado no helpdesk do SEI")
    assert "SAMOP" in form.labels

    # The editor renames the offer: the old id no longer exists in the new version.
    _replace(root / "offers.toml", 'id = "sei"\n', 'id = "sei-ma"\n')
    _replace(root / "offers.toml", 'offers = ["sei"]', 'offers = ["sei-ma"]')
    for name in ("sei-abrir-chamado", "sei-pontos-focais"):
        _replace(_article(root, name), "offers: [sei]", "offers: [sei-ma]")
    assert (await bot.runtime.knowledge.reload_async()).result == "reloaded"
    after = await dora.press("SAMOP")

    assert "não consegui retomar o atendimento anterior" in after.text
    assert bot.tickets() == []
