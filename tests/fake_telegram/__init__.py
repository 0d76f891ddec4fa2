"""A fake Telegram Bot API server for tests: real HTTP, real JSON shapes, real errors.

Usage (fixture `fake_telegram` from `tests.fake_telegram.fixtures`)::

    user = server.add_user("Ana")                    # private chat id == user.id
    group = server.add_group("Agentes", forum=True)  # bot is administrator by default
    server.user_sends_text(user, "/start")           # queues an Update for the bot
    reply = await server.wait_for_message(user, lambda m: "Olá" in m.body)
    server.user_presses_button(user, reply, "sim")   # callback_query Update

Point clients at it:

* config: `api_base_url = server.base_url` (methods at `{base_url}/bot{token}/{method}`)
* aiogram: `Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))`
* python-telegram-bot: `Bot(token, base_url=f"{base_url}/bot",
  base_file_url=f"{base_url}/file/bot")` (set `PTB_TIMEDELTA=true`: PTB 22 otherwise warns
  when it builds RetryAfter, which `filterwarnings = error` turns into a failure)

Limits (`server.limits`, `server.limiter`), faults (`server.faults`), counters
(`server.stats`), the request log (`server.requests`) and webhook deliveries
(`server.webhook.deliveries`) are all reachable from the server object.
"""

from .clock import Clock, ManualClock, RealClock
from .errors import ApiError
from .files import tiny_png
from .limits import LimitConfig
from .messages import StoredMessage
from .models import CallbackAnswer, CallbackRecord, FakeChat, FakeUser, RequestRecord, Topic
from .server import DEFAULT_TOKEN, FakeTelegramServer

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackAnswer",
    "CallbackRecord",
    "Clock",
    "FakeChat",
    "FakeTelegramServer",
    "FakeUser",
    "LimitConfig",
    "ManualClock",
    "RealClock",
    "RequestRecord",
    "StoredMessage",
    "Topic",
    "tiny_png",
]
