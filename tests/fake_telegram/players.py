"""Test-side API: what users do; each action stores a message and queues an Update."""

from __future__ import annotations

from typing import Any

from .files import new_document, new_photo, tiny_png
from .messages import StoredMessage
from .models import CallbackRecord, FakeUser
from .people import ChatRef, People
from .text_entities import with_auto_entities


class UserActions(People):
    """Mixed into the server: play users' messages, edits and button taps."""

    def user_sends_text(
        self,
        user: FakeUser,
        text: str,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        *,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """The user writes `text` (commands, urls and mentions get their entities)."""
        entities = with_auto_entities(text, [])
        return self._post(user, chat, thread_id, reply_to, text=text, entities=entities)

    def user_sends_document(
        self,
        user: FakeUser,
        data: bytes = b"%PDF-1.4\n%fake\n",
        file_name: str = "documento.pdf",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """The user sends a file; the bot can getFile and download it."""
        document = new_document(self.state, data, file_name, mime_type)
        return self._post(user, chat, thread_id, None, document=document, caption=caption)

    def user_sends_photo(
        self,
        user: FakeUser,
        data: bytes | None = None,
        *,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        """The user sends a photo (PNG/JPEG/GIF bytes; a tiny PNG by default)."""
        photo = new_photo(self.state, data if data is not None else tiny_png())
        return self._post(user, chat, thread_id, None, photo=photo, caption=caption)

    def user_edits_message(
        self, user: FakeUser, message: StoredMessage, new_text: str
    ) -> StoredMessage:
        """The user edits one of their text messages (an `edited_message` update)."""
        if message.sender.id != user.id or message.text is None:
            raise ValueError("a user can only edit their own text messages")
        message.history.append(message.to_api())
        message.text = new_text
        message.entities = with_auto_entities(new_text, [])
        message.edit_date = self.state.now()
        if self._bot_sees(message):
            self.state.updates.push("edited_message", message.to_api())
        self.state.changed.fire()
        return message

    def user_presses_button(
        self, user: FakeUser, message: StoredMessage, data: str, *, strict: bool = True
    ) -> CallbackRecord:
        """The user taps the inline button with `data` (must exist unless strict=False)."""
        current = self.state.message(message.chat.id, message.message_id)
        if current is None:
            raise ValueError("the message is gone (deleted)")
        if strict and data not in current.button_data():
            raise ValueError(f"no button with callback_data {data!r}: {current.button_data()}")
        query_id = str(4_200_000_000_000_000_000 + self.state.serial())
        record = CallbackRecord(
            query_id, user, current.chat.id, current.message_id, data, self.state.clock.now()
        )
        self.state.callbacks[query_id] = record
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "message": current.to_api(),
            "chat_instance": self.state.chat_instance(current.chat.id),
            "data": data,
        }
        self.state.updates.push("callback_query", payload)
        return record

    def user_presses_button_text(
        self, user: FakeUser, message: StoredMessage, label: str
    ) -> CallbackRecord:
        """Tap the inline button whose text is `label`."""
        for row in message.inline_keyboard:
            for button in row:
                if button.get("text") == label and "callback_data" in button:
                    return self.user_presses_button(user, message, button["callback_data"])
        raise ValueError(f"no callback button labelled {label!r}")

    def _post(
        self,
        user: FakeUser,
        chat_ref: ChatRef | None,
        thread_id: int | None,
        reply_to: StoredMessage | None,
        **content: Any,
    ) -> StoredMessage:
        chat = self.chat_of(chat_ref if chat_ref is not None else user)
        if chat.is_private:
            if chat.blocked:
                self.unblock_user(chat)
            chat.bot_started = True
        else:
            chat.members.setdefault(user.id, "member")
        if thread_id is None and reply_to is not None:
            thread_id = reply_to.thread_id
        is_topic = False
        if thread_id is not None and chat.is_forum:
            if self.state.topic(chat.id, thread_id) is None:
                raise ValueError(f"topic {thread_id} does not exist in chat {chat.id}")
            is_topic = True
            reply_to = reply_to or self.state.message(chat.id, thread_id)
        message = StoredMessage(
            chat=chat,
            message_id=self.state.next_message_id(chat.id),
            date=self.state.now(),
            sender=user,
            from_bot=False,
            method="user",
            thread_id=thread_id,
            is_topic_message=is_topic,
            reply_to=reply_to,
            **content,
        )
        self.state.add_message(message)
        if self._bot_sees(message):
            self.state.updates.push("message", message.to_api())
        return message

    def _bot_sees(self, message: StoredMessage) -> bool:
        """Privacy mode: in groups a non-admin bot only sees commands and replies to it."""
        chat = message.chat
        if chat.is_private or not self.state.privacy_mode:
            return True
        if chat.members.get(self.state.bot.id) in ("creator", "administrator"):
            return True
        if (message.text or "").startswith("/"):
            return True
        reply = message.reply_to
        return reply is not None and reply.from_bot and not reply.service
