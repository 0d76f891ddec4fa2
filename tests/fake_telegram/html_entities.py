"""HTML character references and link checks used by the HTML parser."""

from __future__ import annotations

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class HtmlError(Exception):
    """Malformed markup; the message is Telegram's (without "can't parse entities: ")."""


def valid_url(url: str) -> bool:
    """Whether an <a href> is a link Telegram would keep."""
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://", "tg://", "mailto:", "ftp://")):
        return True
    host = lowered.split("/", 1)[0]
    return "." in host and " " not in host


def decode_entity(src: str, pos: int) -> tuple[str | None, int]:
    """Decode `&lt;`, `&#60;`, `&#x3c;`...; (None, pos) when it is not an entity Telegram knows."""
    end = pos + 1
    if src[end : end + 1] == "#":
        end += 1
        hexa = src[end : end + 1] == "x"
        end += 1 if hexa else 0
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while end < len(src) and src[end] in allowed:
            end += 1
        digits = src[digits_start:end]
        code = int(digits, 16 if hexa else 10) if digits else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while end < len(src) and src[end].isascii() and src[end].isalpha():
            end += 1
        named = _NAMED.get(src[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if src[end : end + 1] == ";":
        end += 1
    return char, end
