"""Agents' TOTP secrets as the store keeps them: "fernet:" + a Fernet token (authenticated
encryption). A plain base32 secret is a legacy row from before sealing; it still opens."""

from __future__ import annotations

from cryptography.fernet import InvalidToken

from bot.two_factor.totp_key import KeyUnavailable, TotpKey

PREFIX = "fernet:"


def is_sealed(stored: str) -> bool:
    """Whether a stored secret is sealed (else it is a legacy plain one)."""
    return stored.startswith(PREFIX)


class SecretBox:
    """Seals secrets before they are stored and opens them when a code is checked."""

    def __init__(self, key: TotpKey) -> None:
        self.key = key

    def seal(self, secret: str) -> str:
        """The stored form of a secret (the key file is made on first need)."""
        token = self.key.fernet(create=True).encrypt(secret.encode())
        return PREFIX + token.decode()

    def open(self, stored: str) -> str:
        """The secret of a stored form; a legacy plain one is returned as it is."""
        if not is_sealed(stored):
            return stored
        fernet = self.key.fernet(create=False)
        try:
            return fernet.decrypt(stored.removeprefix(PREFIX)).decode()
        except InvalidToken:
            raise KeyUnavailable(
                f"the key in {self.key.source} does not open the stored TOTP secrets "
                "(they were sealed with another key)"
            ) from None
