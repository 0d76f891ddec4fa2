"""getMe, getUpdates, webhooks and the command menu."""

from __future__ import annotations

import json
import re
from typing import Any

from yarl import URL

from .errors import bad_request, conflict
from .params import Params
from .registry import Described, method_table
from .state import FakeState

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def _allowed(p: Params) -> list[str] | None:
    value = p.json_value("allowed_updates")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request("can't parse allowed_updates JSON object")
    return value


async def get_me(state: FakeState, p: Params) -> dict[str, Any]:
    """getMe."""
    return {
        **state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(state: FakeState, p: Params) -> list[dict[str, Any]]:
    """getUpdates: offset confirms, limit 1-100, timeout long-polls; 409 under a webhook."""
    if state.webhook.url:
        raise conflict(WEBHOOK_ACTIVE)
    limit = min(100, max(1, p.integer("limit") or 100))
    timeout = max(0, p.integer("timeout") or 0)
    state.updates.set_allowed(_allowed(p))
    return await state.updates.poll(p.integer("offset") or 0, limit, float(timeout))


async def set_webhook(state: FakeState, p: Params) -> Described:
    """setWebhook (http on loopback only: the fake server never leaves the machine)."""
    url = p.text("url") or ""
    if not url:
        return await delete_webhook(state, p)
    parsed = URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if parsed.host not in LOOPBACK:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = p.text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    already = state.webhook.url == url
    state.webhook.url = url
    state.webhook.secret_token = secret
    state.webhook.max_connections = max_connections
    state.updates.set_allowed(_allowed(p))
    if p.flag("drop_pending_updates"):
        state.updates.drop_all()
    state.updates.arrived.fire()
    return Described(True, "Webhook is already set" if already else "Webhook was set")


async def delete_webhook(state: FakeState, p: Params) -> Described:
    """deleteWebhook."""
    had = bool(state.webhook.url)
    state.webhook.url = ""
    state.webhook.secret_token = None
    if p.flag("drop_pending_updates"):
        state.updates.drop_all()
    return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")


async def get_webhook_info(state: FakeState, p: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending),
    }
    if hook.url:
        info.update(ip_address="127.0.0.1", max_connections=hook.max_connections)
        if state.updates.allowed is not None:
            info["allowed_updates"] = sorted(state.updates.allowed)
    if hook.last_error_date is not None:
        info.update(
            last_error_date=hook.last_error_date, last_error_message=hook.last_error_message
        )
    return info


def _scope_key(p: Params) -> tuple[str, str]:
    scope = p.json_value("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.text("language_code") or ""


async def set_my_commands(state: FakeState, p: Params) -> bool:
    """setMyCommands."""
    commands = p.json_value("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    cleaned: list[dict[str, Any]] = []
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND.fullmatch(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": item["command"], "description": description})
    state.commands[_scope_key(p)] = cleaned
    return True


async def get_my_commands(state: FakeState, p: Params) -> list[dict[str, Any]]:
    """getMyCommands."""
    return list(state.commands.get(_scope_key(p), []))


async def delete_my_commands(state: FakeState, p: Params) -> bool:
    """deleteMyCommands."""
    state.commands.pop(_scope_key(p), None)
    return True


async def accepted(state: FakeState, p: Params) -> bool:
    """Methods the fake server accepts without modelling them (logOut, descriptions...)."""
    return True


METHODS = method_table(
    getMe=get_me,
    getUpdates=get_updates,
    setWebhook=set_webhook,
    deleteWebhook=delete_webhook,
    getWebhookInfo=get_webhook_info,
    setMyCommands=set_my_commands,
    getMyCommands=get_my_commands,
    deleteMyCommands=delete_my_commands,
    logOut=accepted,
    close=accepted,
    setMyDescription=accepted,
    setMyShortDescription=accepted,
    setMyName=accepted,
    setChatMenuButton=accepted,
)
