"""At the bot's start: check the key opens the sealed TOTP secrets, and seal the plain ones."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.two_factor.secret_box import SecretBox, is_sealed
from bot.two_factor.totp_key import KeyUnavailable
from storage import agents_with_secret, replace_secret

log = logging.getLogger(__name__)


def seal_stored_secrets(session: Session, box: SecretBox) -> int:
    """Seal every plain (legacy) secret in the store; how many were sealed.

    When the key does not open the sealed ones, nothing is sealed and the operator is told.
    """
    stored = [(agent, agent.totp_secret) for agent in agents_with_secret(session)]
    sealed = [(agent, secret) for agent, secret in stored if secret and is_sealed(secret)]
    plain = [(agent, secret) for agent, secret in stored if secret and not is_sealed(secret)]
    # A new key would not open the secrets already sealed: never make one while they exist.
    box.key.may_create = not sealed
    problems = [problem for _, secret in sealed if (problem := _unopened(box, secret))]
    if problems:
        log.error(
            "TOTP key unavailable: %s; %d of %d agents with a sealed secret cannot confirm "
            "codes until the key is restored or they are reset (`triagem agents reset ID`) "
            "(README, Agents)",
            problems[-1],
            len(problems),
            len(sealed),
        )
        return 0
    count = 0
    for agent, secret in plain:
        try:
            if replace_secret(session, agent=agent, old=secret, new=box.seal(secret)):
                count += 1
        except KeyUnavailable as exc:
            log.error("TOTP key unavailable: %s; plain secrets left unsealed", exc)
            break
    if count:
        log.info("sealed %d plain TOTP secrets with the key in %s", count, box.key.source)
    return count


def _unopened(box: SecretBox, secret: str) -> KeyUnavailable | None:
    try:
        box.open(secret)
    except KeyUnavailable as exc:
        return exc
    return None
