"""parse_mode=HTML as Telegram parses it: plain text plus entities, or Telegram's error text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .html_entities import HtmlError, decode_entity, valid_url
from .text_entities import utf16_len

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
TAGS = frozenset(_SIMPLE) | {"a", "tg-emoji", "pre", "code", "blockquote"}
SPACES = " \t\r\n\f\v"


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    out_index: int


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into (text, entities with UTF-16 offsets)."""
    return _Parser(source).run()


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.u16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, k: int) -> str:
        return self.src[k] if k < len(self.src) else ""

    def byte(self, k: int) -> int:
        return len(self.src[:k].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.u16 += utf16_len(chunk)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.i < len(self.src):
            c = self.src[self.i]
            if c == "&":
                decoded, end = decode_entity(self.src, self.i)
                if decoded is not None:
                    self.emit(decoded)
                    self.i = end
                    continue
            if c != "<":
                self.emit(c)
                self.i += 1
            elif self.at(self.i + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        return "".join(self.out), self.entities

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self.at(self.i) not in ("", ">") and self.at(self.i) not in SPACES:
            self.i += 1
        if self.at(self.i) == "":
            raise HtmlError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        tag = self.src[begin + 1 : self.i].lower()
        if tag not in TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {self.byte(begin)}')
        argument = ""
        while self.at(self.i) != ">":
            self.skip_spaces()
            if self.at(self.i) == ">":
                break
            name, value = self.attribute(tag, begin)
            argument = _argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte(begin)}'
            )
        self.stack.append(_Open(tag, argument, self.u16, len(self.out)))
        self.i += 1

    def attribute(self, tag: str, begin: int) -> tuple[str, str]:
        start = self.i
        while self.at(self.i) not in ("", "=", ">") and self.at(self.i) not in SPACES:
            self.i += 1
        name = self.src[start : self.i].lower()
        if not name:
            raise HtmlError(
                f'Empty attribute name in the tag "{tag}" at byte offset {self.byte(start)}'
            )
        self.skip_spaces()
        if self.at(self.i) == "":
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {self.byte(begin)}')
        if self.at(self.i) != "=":
            if tag == "blockquote" and name == "expandable":
                return name, ""
            raise HtmlError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {self.byte(start)}'
            )
        self.i += 1
        self.skip_spaces()
        if self.at(self.i) == "":
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {self.byte(begin)}')
        value = self.attribute_value()
        if self.at(self.i) == "":
            raise HtmlError(f"Unclosed start tag at byte offset {self.byte(begin)}")
        return name, value

    def attribute_value(self) -> str:
        quote = self.at(self.i)
        if quote not in ("'", '"'):
            start = self.i
            while self.at(self.i).isalnum() or self.at(self.i) in (".", "-"):
                self.i += 1
            if self.at(self.i) not in SPACES and self.at(self.i) != ">":
                raise HtmlError(f"Unexpected end of name token at byte offset {self.byte(start)}")
            return self.src[start : self.i].lower()
        self.i += 1
        parts: list[str] = []
        while self.at(self.i) not in ("", quote):
            decoded, end = decode_entity(self.src, self.i)
            if decoded is not None:
                parts.append(decoded)
                self.i = end
            else:
                parts.append(self.src[self.i])
                self.i += 1
        if self.at(self.i) == quote:
            self.i += 1
        return "".join(parts)

    def end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self.byte(begin)}")
        self.i += 2
        start = self.i
        while self.at(self.i) not in ("", ">") and self.at(self.i) not in SPACES:
            self.i += 1
        name = self.src[start : self.i].lower()
        self.skip_spaces()
        if self.at(self.i) != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self.byte(begin)}")
        opened = self.stack[-1]
        if name and name != opened.tag:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self.byte(begin)}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.i += 1
        if self.u16 > opened.offset:
            self.close_entity(opened)

    def close_entity(self, opened: _Open) -> None:
        entity: dict[str, Any] = {"offset": opened.offset, "length": self.u16 - opened.offset}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (
            entity["offset"],
            entity["length"],
        )
        if opened.tag in _SIMPLE:
            entity["type"] = _SIMPLE[opened.tag]
        elif opened.tag == "a":
            url = opened.argument or "".join(self.out[opened.out_index :])
            if not valid_url(url):
                return
            entity.update(type="text_link", url=url)
        elif opened.tag == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=opened.argument)
        elif opened.tag == "blockquote":
            entity["type"] = "expandable_blockquote" if opened.argument else "blockquote"
        elif opened.tag == "pre" and same_span and last is not None and last["type"] == "code":
            self.entities.pop()
            entity["type"] = "pre"
            if last.get("language"):
                entity["language"] = last["language"]
        elif opened.tag == "pre":
            entity["type"] = "pre"
        else:
            entity["type"] = "code"
            if opened.argument:
                entity["language"] = opened.argument
        self.entities.append(entity)

    def skip_spaces(self) -> None:
        while self.at(self.i) != "" and self.at(self.i) in SPACES:
            self.i += 1


def _argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "expandable"
    return current
