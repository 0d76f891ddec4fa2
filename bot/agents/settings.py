"""Where the desk works: the agents' chat of each offer, level-2 chats, and the 2FA policy
and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from bot.config import Config
from bot.two_factor.totp_key import KEY_FILE_NAME, key_file_for


@dataclass(frozen=True)
class DeskSettings:
    """The [telegram] agent_chat_id and the [desk] section, as the desk reads them."""

    agent_chat_id: int | None = None
    offer_chat_ids: dict[str, int] = field(default_factory=dict)
    level2_chat_id: int | None = None
    escalation_chat_ids: dict[str, int] = field(default_factory=dict)
    trusted_for: timedelta = timedelta(hours=12)
    anonymous_replies: bool = False
    max_failed_codes: int = 5
    totp_key: SecretStr = field(default_factory=lambda: SecretStr(""))
    totp_key_file: Path = Path("data") / KEY_FILE_NAME

    @classmethod
    def from_config(cls, config: Config) -> DeskSettings:
        """Settings from the loaded configuration."""
        desk = config.desk
        return cls(
            agent_chat_id=config.telegram.agent_chat_id,
            offer_chat_ids=dict(desk.offer_chat_ids),
            level2_chat_id=desk.level2_chat_id,
            escalation_chat_ids=dict(desk.escalation_chat_ids),
            trusted_for=timedelta(hours=desk.trusted_hours),
            anonymous_replies=desk.anonymous_replies,
            max_failed_codes=desk.max_failed_codes,
            totp_key=desk.totp_key,
            totp_key_file=key_file_for(config.storage.url),
        )

    def chat_for_offer(self, offer_id: str) -> int | None:
        """The agents' chat where new tickets of this offer get their topic (None: no desk)."""
        return self.offer_chat_ids.get(offer_id, self.agent_chat_id)

    def escalation_chat(self, offer_id: str) -> int | None:
        """The level-2 chat /escalar sends this offer's tickets to (None: not configured)."""
        return self.escalation_chat_ids.get(offer_id, self.level2_chat_id)

    def is_agents_chat(self, chat_id: int) -> bool:
        """Whether agents work in this chat (anything said elsewhere is ignored)."""
        chats = {self.agent_chat_id, self.level2_chat_id}
        chats |= set(self.offer_chat_ids.values()) | set(self.escalation_chat_ids.values())
        return chat_id in chats
