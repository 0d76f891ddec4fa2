"""parse_mode=HTML: Telegram's entities and Telegram's error messages."""

from __future__ import annotations

import pytest

from tests.fake_telegram import FakeTelegramServer
from tests.fake_telegram.html_check import parse_html
from tests.fake_telegram.html_entities import HtmlError
from tests.fake_telegram_tests.conftest import RawApi


def test_entities_have_utf16_offsets() -> None:
    text, entities = parse_html("🏟 <b>negrito</b> &lt;x&gt; <a href='https://gov.br'>link</a>")
    assert text == "🏟 negrito <x> link"
    assert entities == [
        {"offset": 3, "length": 7, "type": "bold"},
        {"offset": 15, "length": 4, "type": "text_link", "url": "https://gov.br"},
    ]


def test_pre_with_language_and_nested_tags() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><i><u>iu</u></i>'
    )
    assert text == "x = 1iu"
    assert {"offset": 0, "length": 5, "type": "pre", "language": "python"} in entities
    assert {"offset": 5, "length": 2, "type": "underline"} in entities
    assert {"offset": 5, "length": 2, "type": "italic"} in entities


def test_spoiler_blockquote_and_numeric_references() -> None:
    text, entities = parse_html(
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>&#65;&#x42;'
    )
    assert text == "sqAB"
    assert [e["type"] for e in entities] == ["spoiler", "expandable_blockquote"]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("🏟 🏟&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'),
        ("<b>negrito", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 3'),
        (
            "<i aba>x</i>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 3',
        ),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
    ],
)
def test_malformed_html_errors(source: str, error: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert str(caught.value) == error


async def test_send_rejects_malformed_html_with_telegram_wording(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    status, body = await raw.call(
        "sendMessage", json={"chat_id": user.id, "text": "<b>oi", "parse_mode": "HTML"}
    )
    assert status == 400
    assert body["description"] == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    assert fake_telegram.sent_messages(user) == []


async def test_length_limit_counts_text_after_entity_parsing(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    fits = "<b>" + "a" * 4096 + "</b>"
    message = await raw.ok(
        "sendMessage", json={"chat_id": user.id, "text": fits, "parse_mode": "HTML"}
    )
    assert len(message["text"]) == 4096
    for too_long in ("a" * 4097, "😀" * 2049):
        status, body = await raw.call("sendMessage", json={"chat_id": user.id, "text": too_long})
        assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_empty_text_after_parsing_and_trimming(
    raw: RawApi, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.limits.enabled = False
    user = fake_telegram.add_user()
    fake_telegram.user_sends_text(user, "oi")
    for text in ("", "   \n ", "<b></b>"):
        status, body = await raw.call(
            "sendMessage", json={"chat_id": user.id, "text": text, "parse_mode": "HTML"}
        )
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    message = await raw.ok("sendMessage", json={"chat_id": user.id, "text": "  oi /ajuda \n"})
    assert message["text"] == "oi /ajuda"
    assert message["entities"] == [{"type": "bot_command", "offset": 3, "length": 6}]
