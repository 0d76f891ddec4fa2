"""Secrets out of every log record: the bot token, the webhook secret and the TOTP key."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

from bot.config import Config

MASK = "[redacted]"
# A shorter value would mask ordinary words; Telegram's token secret is 35 characters.
MIN_SECRET_LENGTH = 8
_FORMATTER = logging.Formatter()


def secrets_of(config: Config) -> list[str]:
    """Every form of the configured secrets that could reach a log line."""
    token = config.telegram.token.get_secret_value()
    found = [token, quote(token, safe=""), token.partition(":")[2]] if token else []
    found.append(config.telegram.webhook_secret.get_secret_value())
    found.append(config.desk.totp_key.get_secret_value())
    found.append(_key_file(config))
    return [s for s in found if len(s) >= MIN_SECRET_LENGTH]


def _key_file(config: Config) -> str:
    # The key file the desk makes when no key is configured (README, "The secrets' key").
    from bot.two_factor.totp_key import key_file_for

    try:
        return key_file_for(config.storage.url).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return ""


class Redactor(logging.Filter):
    """A handler filter that masks the secrets in a record's message, exception and stack."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first: the whole token goes before its secret half.
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every secret masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (every later handler sees it masked); keep it."""
        try:
            message = record.getMessage()
        except Exception:  # bad args: logging reports it, and must not print the args raw
            message = f"{record.msg!s} {record.args!r}"
        # Formatted here: the args (a URL, an exception) are where libraries put secrets.
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True
