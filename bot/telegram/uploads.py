"""Files the bot makes itself (a QR code, a data export), as each driver uploads them."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any


def uploads(params: Mapping[str, Any]) -> dict[str, tuple[bytes, str]]:
    """Params given as `{"upload": "<base64>", "filename": "qr.png"}`: files to upload.

    The outbox holds JSON only, so bytes made by the bot (a QR code) travel as base64 and each
    driver turns them into its own upload object.
    """
    files: dict[str, tuple[bytes, str]] = {}
    for key, value in params.items():
        if isinstance(value, Mapping) and isinstance(value.get("upload"), str):
            name = str(value.get("filename") or key)
            files[key] = (base64.b64decode(value["upload"]), name)
    return files
