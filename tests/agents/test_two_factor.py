"""Agents' second factor over Telegram: enrollment with a QR code, trust that expires, replayed
and wrong codes refused, lockout after five, a supervisor's unlock."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.two_factor import totp
from storage import Role
from tests.fake_telegram import FakeUser

from .flows import open_eproc_ticket
from .harness import DeskBot

SECRET_IN_URI = re.compile(r"secret=([A-Z2-7]+)")


async def _enroll(desk: DeskBot, agent_user: FakeUser) -> str:
    """/2fa in private: returns the secret the QR code carries."""
    desk.server.user_sends_text(agent_user, "/2fa")
    await desk.settle()
    photo = desk.server.last_sent(agent_user)
    assert photo is not None and photo.photo is not None
    match = SECRET_IN_URI.search(photo.body)
    assert match is not None and "otpauth://totp/Triagem:" in photo.body
    return match.group(1)


async def test_enrollment_then_actions_then_trust_expires_and_a_code_renews_it(
    desk: DeskBot,
) -> None:
    ana = desk.agent("Ana", enrolled=False, trusted=False)
    code = await open_eproc_ticket(desk, desk.user("Bruno"))
    thread = desk.ticket(code).topic_thread_id

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "ativar a verificação em duas etapas" in desk.in_topic(thread)[-1].body
    assert desk.ticket(code).status == "novo"

    secret = await _enroll(desk, ana)
    qr = desk.server.last_sent(ana)
    assert qr is not None
    # The QR code went as an uploaded PNG, and the outbox forgot the secret once sent.
    assert qr.photo is not None
    uploaded = desk.server.state.files[qr.photo[-1]["file_id"]].data
    assert uploaded.startswith(b"\x89PNG\r\n\x1a\n")
    [row] = [r for r in desk.outbox() if r.kind == "qr"]
    assert row.params == {"scrubbed": True} and secret not in str(row.params)

    now_code = totp.code_at(secret, totp.time_step(desk.clock()))
    desk.server.user_sends_text(ana, f"/codigo {now_code}")
    await desk.settle()
    assert "ativada" in desk.texts(ana)[-1]
    assert qr.deleted, "the message with the secret leaves the chat once confirmed"
    desk.server.user_sends_text(ana, "/2fa")
    await desk.settle()
    assert "não é mostrada de novo" in desk.texts(ana)[-1]
    assert secret not in desk.texts(ana)[-1]

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert desk.ticket(code).status == "em_atendimento"

    desk.clock.advance(hours=12, minutes=1)
    desk.server.user_sends_text(ana, "/prioridade 2", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "confirme que é você" in desk.in_topic(thread)[-1].body
    assert desk.ticket(code).priority != 2

    fresh = totp.code_at(secret, totp.time_step(desk.clock()))
    desk.server.user_sends_text(ana, f"/codigo {fresh}")
    desk.server.user_sends_text(ana, "/prioridade 2", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "Código aceito" in desk.texts(ana)[-1]
    assert desk.ticket(code).priority == 2
    refused = [e.details.get("reason") for e in desk.audit() if e.outcome == "refused"]
    assert refused[:2] == ["not_enrolled", "code_needed"] or set(refused) >= {
        "not_enrolled",
        "code_needed",
    }


async def test_a_used_code_is_refused_even_in_its_own_time_step(desk: DeskBot) -> None:
    ana = desk.agent("Ana", enrolled=False, trusted=False)
    secret = await _enroll(desk, ana)
    # The step boundary must not pass while the test runs: a code of the step before would be
    # out of the window ("inválido") instead of already used.
    desk.at_the_start_of_a_time_step()
    step = totp.time_step(desk.clock())
    assert step == totp.time_step(desk.clock() + timedelta(seconds=25))
    desk.server.user_sends_text(ana, f"/codigo {totp.code_at(secret, step)}")
    await desk.settle()
    desk.server.user_sends_text(ana, f"/codigo {totp.code_at(secret, step)}")
    desk.server.user_sends_text(ana, f"/codigo {totp.code_at(secret, step - 1)}")
    await desk.settle()
    assert desk.texts(ana)[-2:] == [desk.texts(ana)[-1]] * 2
    assert "já foi usado" in desk.texts(ana)[-1]
    assert desk.stored_agent(ana).failed_attempts == 0


async def test_five_wrong_codes_lock_until_a_supervisor_unlocks(desk: DeskBot) -> None:
    ana = desk.agent("Ana", trusted=False)
    sofia = desk.agent("Sofia", role=Role.SUPERVISOR)
    code = await open_eproc_ticket(desk, desk.user("Bruno"))
    thread = desk.ticket(code).topic_thread_id
    right = desk.current_code()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    for _ in range(4):
        desk.server.user_sends_text(ana, f"/codigo {wrong}")
    await desk.settle()
    assert "Resta 1 tentativa" in desk.texts(ana)[-1]
    desk.server.user_sends_text(ana, f"/codigo {wrong}")
    desk.server.user_sends_text(ana, f"/codigo {right}")
    await desk.settle()
    assert "bloqueado" in desk.texts(ana)[-2] and "bloqueado" in desk.texts(ana)[-1]
    assert desk.stored_agent(ana).locked

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    desk.server.user_sends_text(ana, f"/desbloquear {ana.id}", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "bloqueado" in desk.in_topic(thread)[-1].body
    assert desk.stored_agent(ana).locked

    desk.server.user_sends_text(sofia, f"/desbloquear {ana.id}", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert "desbloqueado" in desk.in_topic(thread)[-1].body
    assert not desk.stored_agent(ana).locked
    desk.server.user_sends_text(ana, f"/codigo {desk.current_code()}")
    await desk.settle()
    assert "Código aceito" in desk.texts(ana)[-1]
    actions = [(e.action, e.outcome) for e in desk.audit()]
    assert actions.count(("2fa_code", "refused")) == 6 and ("unlock", "ok") in actions


async def test_private_agent_commands_from_non_agents_are_refused(desk: DeskBot) -> None:
    zeca = desk.user("Zeca")
    desk.server.user_sends_text(zeca, "/2fa")
    desk.server.user_sends_text(zeca, "/codigo 123456")
    await desk.settle()
    assert all("só para agentes" in t for t in desk.texts(zeca))
    assert [(e.action, e.outcome) for e in desk.audit()] == [
        ("2fa", "refused"),
        ("codigo", "refused"),
    ]
