"""The sender's lanes: which outbox rows each takes, in what order, and how many at once.

Lanes are served in the order below whenever a place in Telegram's overall window frees up, and
each has calls in flight of its own, so no lane waits behind another's backlog:

- `instant`: callback answers and chat actions. They stop a button's spinner or show
  "typing…", keep no order with the chat's messages, and are useless a few seconds late
  (Telegram refuses a callback answer after about 15 s, "query is too old").
- `private`: users' chats, one call at a time per chat, in the order queued.
- `group`: the agents' groups, likewise; a group allows 20 messages a minute, so a busy desk
  builds a backlog here that must never delay a user's news.
"""

from __future__ import annotations

from dataclasses import dataclass

# Calls Telegram does not count as messages in a chat: held by the overall window only.
INSTANT = frozenset({"answerCallbackQuery", "sendChatAction"})
# Methods whose params take no chat_id.
WITHOUT_CHAT = frozenset({"answerCallbackQuery", "setMyCommands"})


@dataclass(frozen=True)
class Lane:
    """One kind of outbox row with its own calls in flight."""

    name: str
    concurrency: int
    methods: frozenset[str] | None  # only these; None: any but the instant ones
    chats: int  # 1: private chats, -1: groups, 0: any
    ordered: bool  # one call at a time per chat, in queue order

    def own_chat(self, method: str) -> bool:
        """Whether the call counts in its chat's window (messages do; instant calls do not)."""
        return self.ordered and method not in WITHOUT_CHAT


LANES = (
    Lane("instant", concurrency=8, methods=INSTANT, chats=0, ordered=False),
    Lane("private", concurrency=8, methods=None, chats=1, ordered=True),
    Lane("group", concurrency=4, methods=None, chats=-1, ordered=True),
)
