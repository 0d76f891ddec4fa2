"""Sealing TOTP secrets (no store): the stored form, the key file, and one-line key problems."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.two_factor.secret_box import PREFIX, SecretBox, is_sealed
from bot.two_factor.totp_key import KeyUnavailable, TotpKey, key_file_for

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NO_KEY = SecretStr("")


def file_box(path: Path) -> SecretBox:
    """A box whose key lives in the key file `path` (nothing configured)."""
    return SecretBox(TotpKey(NO_KEY, path))


def key_box(key: bytes, path: Path) -> SecretBox:
    """A box with a configured key."""
    return SecretBox(TotpKey(SecretStr(key.decode()), path))


def test_a_sealed_secret_shows_nothing_of_it_and_opens_again(tmp_path: Path) -> None:
    box = file_box(tmp_path / "totp.key")
    sealed = box.seal(SECRET)
    assert sealed.startswith(PREFIX) and is_sealed(sealed)
    assert SECRET not in sealed and SECRET.lower() not in sealed.lower()
    assert len(sealed) <= 255
    assert box.open(sealed) == SECRET
    assert box.seal(SECRET) != sealed, "each sealing has its own IV and time stamp"


def test_a_plain_legacy_secret_opens_as_it_is_without_any_key(tmp_path: Path) -> None:
    box = file_box(tmp_path / "totp.key")
    assert not is_sealed(SECRET)
    assert box.open(SECRET) == SECRET
    assert not (tmp_path / "totp.key").exists()


def test_the_key_file_is_made_0600_on_first_need_and_reused_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "totp.key"
    first = file_box(path)
    assert not path.exists(), "no key file before anything is sealed"
    sealed = first.seal(SECRET)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes()
    Fernet(key.strip())
    restarted = file_box(path)
    assert restarted.open(sealed) == SECRET
    restarted.seal(SECRET)
    assert path.read_bytes() == key
    assert [p.name for p in path.parent.iterdir()] == ["totp.key"], "no temporary file left"


def test_an_existing_key_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "totp.key"
    file_box(path).seal(SECRET)
    key = path.read_bytes()
    # Two workers starting together: the one that loses the race reads the winner's key.
    with pytest.raises(FileExistsError):
        TotpKey(NO_KEY, path)._create()
    assert path.read_bytes() == key
    assert [p.name for p in tmp_path.iterdir()] == ["totp.key"]


def test_opening_a_sealed_secret_without_the_key_file_makes_none_and_says_so(
    tmp_path: Path,
) -> None:
    sealed = file_box(tmp_path / "old" / "totp.key").seal(SECRET)
    path = tmp_path / "new" / "totp.key"
    with pytest.raises(KeyUnavailable, match=r"totp\.key does not exist.*totp_key is not set"):
        file_box(path).open(sealed)
    assert not path.exists()


def test_a_configured_key_is_used_and_no_key_file_is_made(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    path = tmp_path / "totp.key"
    sealed = key_box(key, path).seal(SECRET)
    assert Fernet(key).decrypt(sealed.removeprefix(PREFIX)).decode() == SECRET
    assert not path.exists()


def test_another_key_does_not_open_and_the_reason_is_one_line(tmp_path: Path) -> None:
    sealed = key_box(Fernet.generate_key(), tmp_path / "totp.key").seal(SECRET)
    other = key_box(Fernet.generate_key(), tmp_path / "totp.key")
    with pytest.raises(KeyUnavailable) as refused:
        other.open(sealed)
    message = str(refused.value)
    assert "[desk] totp_key" in message and "another key" in message
    assert "\n" not in message and SECRET not in message


def test_a_damaged_key_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "totp.key"
    path.write_text("not a key\n")
    box = file_box(path)
    with pytest.raises(KeyUnavailable, match="not a Fernet key"):
        box.seal(SECRET)
    assert path.read_text() == "not a key\n"


def test_no_new_key_is_made_while_sealed_secrets_need_the_old_one(tmp_path: Path) -> None:
    key = TotpKey(NO_KEY, tmp_path / "totp.key")
    key.may_create = False
    with pytest.raises(KeyUnavailable, match="does not exist"):
        SecretBox(key).seal(SECRET)
    assert not (tmp_path / "totp.key").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/triagem/state/triagem.db", "/srv/triagem/state/totp.key"),
        ("sqlite:///data/triagem.db", "data/totp.key"),
        ("sqlite://", "data/totp.key"),
        ("sqlite:///file:mem?mode=memory&uri=true", "data/totp.key"),
        ("postgresql://triagem@127.0.0.1:5432/triagem", "data/totp.key"),
    ],
)
def test_the_key_file_lives_in_the_data_directory(url: str, expected: str) -> None:
    assert key_file_for(url) == Path(expected)
