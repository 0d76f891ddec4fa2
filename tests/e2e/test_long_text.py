"""Replies over Telegram's 4096-character limit arrive split, every part accepted."""

from __future__ import annotations

import json

from .conftest import StartBot
from .harness import RunningBot, Turn

# A user pasting the HTML error page they got: markup to escape, and long.
PASTED = 'Erro ao abrir: <td class="erro">Falha &amp; timeout &lt;500&gt;</td> '
LONG_DESCRIPTION = (PASTED * 60)[:3990].strip()
TELEGRAM_LIMIT = 4096


def utf16_length(text: str) -> int:
    """Telegram's measure of a message's length."""
    return len(text.encode("utf-16-le")) // 2


def assert_accepted(bot: RunningBot, turn: Turn) -> None:
    """Every part reached the chat within the limit, and no call was refused."""
    assert all(utf16_length(m.body) <= TELEGRAM_LIMIT for m in turn.messages)
    refused = [r for r in bot.server.requests if r.status == 400]
    assert refused == [], [(r.method, r.description) for r in refused]


async def test_a_long_summary_and_ticket_arrive_in_parts(start_bot: StartBot) -> None:
    # At Telegram's own pace: the parts of one reply go one a second, none refused.
    bot = await start_bot(pace="telegram")
    ana = bot.person("Ana")
    turn = await ana.say("o portal está fora do ar")
    if any("Suporte técnico" in label for label in turn.labels):
        await ana.press("Suporte técnico")
    await ana.say(LONG_DESCRIPTION)

    summary = await ana.press("Pular")

    assert len(summary.messages) >= 2
    assert_accepted(bot, summary)
    assert all(not m.inline_keyboard for m in summary.messages[:-1])
    assert "Confirmar" in " ".join(summary.labels)
    # Cut between words only: the description is all there once the parts are put together.
    assert " ".join(LONG_DESCRIPTION.split()) in " ".join(summary.text.split())
    opened = await ana.press("Confirmar")
    assert bot.ticket(opened.opened_code()).fields["descricao"] == LONG_DESCRIPTION


async def test_the_data_export_arrives_as_a_summary_and_a_json_file(bot: RunningBot) -> None:
    ana = bot.person("Ana")
    await ana.say("/start")
    codes = [bot.queue_ticket(ana, f"{n}: {LONG_DESCRIPTION}") for n in range(3)]

    export = await ana.say("/meus_dados")

    assert_accepted(bot, export)
    [summary, file] = export.messages
    assert "Seus dados" in summary.body and "3 chamado(s)" in summary.body
    assert all(code in summary.body for code in codes)
    assert LONG_DESCRIPTION[:40] not in summary.body  # people read a summary, not the fields
    assert file.document is not None and file.document["file_name"].endswith(".json")
    stored = bot.server.state.files[file.document["file_id"]]
    document = json.loads(stored.data)
    assert sorted(t["code"] for t in document["tickets"]) == sorted(codes)
    descriptions = sorted(t["fields"]["descricao"] for t in document["tickets"])
    assert descriptions == [f"{n}: {LONG_DESCRIPTION}" for n in range(3)]
    # Sent once, the row keeps nothing of the document (all the user's data).
    [row] = [r for r in bot.outbox(ana.id) if r.method == "sendDocument"]
    assert row.params == {"scrubbed": True}
