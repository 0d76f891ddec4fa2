"""The agents' group gets its command menu from the desk's command table."""

from __future__ import annotations

from bot.agents.commands import COMMANDS

from .harness import DeskBot


async def test_the_group_menu_lists_the_command_table(desk: DeskBot) -> None:
    await desk.settle()
    menu = desk.server.commands({"type": "chat", "chat_id": desk.group.id})
    assert [c["command"] for c in menu] == [c.name for c in COMMANDS]
    assert all(c["description"].strip() for c in menu)
    # The users' menu (default scope) is not the desk's.
    assert "assumir" not in [c["command"] for c in desk.server.commands()]


async def test_help_in_the_group_lists_what_an_agent_may_use(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    desk.server.user_sends_text(ana, "/ajuda", chat=desk.group)
    await desk.settle()
    shown = desk.in_topic(None)[-1].body
    assert "/assumir" in shown and "/transferir OFERTA" in shown and "/nota texto" in shown
    assert "/auditoria" not in shown  # supervisors only
