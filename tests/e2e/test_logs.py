"""What the bot logs on each driver: no secret even at DEBUG, handled faults as one line."""

from __future__ import annotations

import json
import socket
from urllib.parse import quote

from cryptography.fernet import Fernet

from tests.in_process_bot import BotSite, fake_server_settings
from tests.logs import captured_logs, config_of

from .conftest import StartBot

SLOW_TURN = 30.0
WEBHOOK_SECRET = "s3cret-Webhook_token-for-tests"
TOTP_KEY = Fernet.generate_key().decode()


def _settings(site: BotSite, **log: str) -> dict[str, str]:
    settings = fake_server_settings(
        site.server, library=site.library, database_url=site.database_url
    )
    settings["TRIAGEM_TELEGRAM__WEBHOOK_SECRET"] = WEBHOOK_SECRET
    settings["TRIAGEM_DESK__TOTP_KEY"] = TOTP_KEY
    settings.update({f"TRIAGEM_LOG__{key.upper()}": value for key, value in log.items()})
    return settings


async def test_nothing_logged_even_at_debug_holds_the_token_or_another_secret(
    bot_site: BotSite, start_bot: StartBot
) -> None:
    settings = _settings(bot_site, level="DEBUG", libraries="DEBUG")
    token = bot_site.server.token
    with captured_logs(config_of(settings, bot_site.tmp_path)) as logged:
        bot = await start_bot(environ=settings)
        ana = bot.person("Ana")
        # A proxy's error page and flood control on the way: errors and their tracebacks too.
        bot.server.faults.fail_next("sendMessage", status=502, html=True)
        bot.server.faults.fail_next("answerCallbackQuery", status=429, retry_after=1)
        turn = await ana.say("o portal está fora do ar", SLOW_TURN)
        if any("Suporte técnico" in label for label in turn.labels):
            turn = await ana.press("Suporte técnico", SLOW_TURN)
        await ana.say("Ninguém consegue abrir o formulário desde as 9h.", SLOW_TURN)
        await ana.press("Pular", SLOW_TURN)
        opened = await ana.press("Confirmar", SLOW_TURN)
        code = opened.opened_code()
        assert code in (await ana.say("/meus_chamados", SLOW_TURN)).text
        text = logged.getvalue()

    # Everything was captured, the faults and the libraries' chatter included ...
    assert "connected as @" in text and f"ticket {code} opened" in text
    assert "sendMessage to chat" in text and "failed: 502 Bad Gateway" in text
    assert "answerCallbackQuery failed: 429 Too Many Requests" in text  # the sender's line
    assert "DEBUG alembic" in text
    if bot.library == "python-telegram-bot":
        # httpx names every request URL: /bot<token>/<method>.
        assert "HTTP Request: POST" in text and "/bot[redacted]/sendMessage" in text
    # ... and no secret, in any form, in any of it.
    secret_half = token.partition(":")[2]
    for secret in (token, quote(token, safe=""), secret_half, WEBHOOK_SECRET, TOTP_KEY):
        assert secret not in text


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_in_webhook_mode_the_secret_set_with_setwebhook_is_masked(
    bot_site: BotSite, start_bot: StartBot
) -> None:
    port = free_port()
    settings = _settings(bot_site, level="DEBUG", libraries="DEBUG")
    settings.update(
        {
            "TRIAGEM_TELEGRAM__MODE": "webhook",
            "TRIAGEM_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "TRIAGEM_TELEGRAM__WEBHOOK_PORT": str(port),
        }
    )
    with captured_logs(config_of(settings, bot_site.tmp_path)) as logged:
        bot = await start_bot(environ=settings)
        assert (await bot.person("Ana").say("/start")).messages
        text = logged.getvalue()

    assert bot.server.state.webhook.secret_token == WEBHOOK_SECRET
    if bot.library == "python-telegram-bot":
        # PTB logs every call's parameters at DEBUG, setWebhook's secret_token among them.
        assert "'secret_token': '[redacted]'" in text
    for secret in (WEBHOOK_SECRET, bot_site.server.token.partition(":")[2]):
        assert secret not in text


async def test_log_lines_can_be_json_with_update_chat_and_ticket_fields(
    bot_site: BotSite, start_bot: StartBot
) -> None:
    settings = _settings(bot_site, format="json")
    with captured_logs(config_of(settings, bot_site.tmp_path)) as logged:
        bot = await start_bot(environ=settings)
        bia = bot.person("Bia")
        await bia.say("sou do 2º grau e a redistribuição do recurso deu erro no eproc")
        await bia.press("Usar a mensagem que enviei")
        code = (await bia.press("Confirmar")).opened_code()
        lines = [json.loads(line) for line in logged.getvalue().splitlines()]

    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    opened = [line for line in lines if line.get("ticket_code") == code]
    assert len(opened) == 1, lines
    assert opened[0]["chat_id"] == bia.id
    assert opened[0]["level"] == "INFO" and opened[0]["logger"] == "bot.user_turn"
    confirm = bot.inbox()[-1]  # the press of "Confirmar"
    assert confirm.chat_id == bia.id and opened[0]["update_id"] == confirm.update_id
