"""Every message the desk sends is valid Telegram HTML within Telegram's length limit.

Telegram parses the HTML and then counts the text in UTF-16 code units (at most 4096), so the
checks use the fake Bot API server's own parser and counter.
"""

from __future__ import annotations

import base64

from tests.fake_telegram.formatting import TEXT_LIMIT
from tests.fake_telegram.html_check import parse_html
from tests.fake_telegram.text_entities import utf16_len

from .driver import Chat, fill_sei_form

# As much as one Telegram message can carry: 2040 emoji are 4080 UTF-16 code units.
EMOJI_DESCRIPTION = "😀" * 2040


def sent_lengths(chat: Chat) -> list[int]:
    """Length of each message of the last answer as Telegram counts it (after parsing)."""
    return [utf16_len(parse_html(call.text)[0]) for call in chat.calls]


def test_user_text_with_html_never_breaks_the_formatting(chat: Chat) -> None:
    name = "Maria <b>Souza</b> & Cia"
    description = "O campo mostra </code><a href='javascript:x'>clique</a> & <pre> sem fechar"
    fill_sei_form(chat, name=name, description=description, file_name="<img src=x>.png")
    summary = [parse_html(call.text)[0] for call in chat.calls]
    chat.tap("Confirmar")
    code = chat.opened_code()
    answers = []
    for command in ("/meus_chamados", f"/chamado {code}", "/meus_dados"):
        chat.say(command)
        answers += chat.calls

    texts = [parse_html(call.text)[0] for call in answers]  # raises on broken markup
    assert f"Nome completo: {name}" in "\n".join(summary)
    assert f"Chamado: {description}" in "\n".join(summary)
    assert texts  # each answer parsed as Telegram HTML; the export's JSON goes as a file
    [document] = [c for c in answers if c.method == "sendDocument"]
    exported = base64.b64decode(document.params["document"]["upload"]).decode()
    assert f'"nome": "{name}"' in exported
    assert '"file_name": "<img src=x>.png"' in exported


def test_a_summary_with_a_long_emoji_description_fits_telegram_messages(chat: Chat) -> None:
    fill_sei_form(chat, description=EMOJI_DESCRIPTION)

    assert "Confira o seu chamado antes de enviar" in chat.text
    assert max(sent_lengths(chat)) <= TEXT_LIMIT


def test_an_export_with_a_long_emoji_description_fits_telegram_messages(chat: Chat) -> None:
    fill_sei_form(chat, description=EMOJI_DESCRIPTION)
    chat.tap("Confirmar")

    chat.say("/meus_dados")

    assert "Seus dados" in chat.text
    assert max(sent_lengths(chat)) <= TEXT_LIMIT
