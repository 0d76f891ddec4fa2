"""Stored files: documents and photos (with sizes), and image dimensions sniffing."""

from __future__ import annotations

import mimetypes
import struct
import zlib
from typing import Any

from .errors import bad_request
from .models import FileRecord
from .params import Params, UploadedFile
from .state import FakeState

THUMB_SIDE = 90
MAX_PHOTO_SIDE = 1280


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid solid-colour PNG, handy as a test photo."""
    row = b"\x00" + b"\x80\x40\x20" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def new_document(
    state: FakeState, data: bytes, file_name: str | None, mime_type: str | None
) -> dict[str, Any]:
    """Store a document and return its `Document` object."""
    guessed = mimetypes.guess_type(file_name or "")[0]
    if mime_type in (None, "", "application/octet-stream"):
        mime_type = guessed or mime_type or "application/octet-stream"
    file_id, unique_id = state.new_file_ids("document")
    suffix = mimetypes.guess_extension(mime_type) or ""
    path = f"documents/file_{state.serial()}{suffix}"
    record = FileRecord(file_id, unique_id, data, path, file_name, mime_type, kind="document")
    state.store_file(record)
    out: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id}
    if file_name:
        out["file_name"] = file_name
    out.update(mime_type=mime_type, file_size=len(data))
    return out


def new_photo(state: FakeState, data: bytes) -> list[dict[str, Any]]:
    """Store a photo and return its `PhotoSize` list (thumbnail first), as Telegram does."""
    size = image_size(data)
    if size is None or min(size) <= 0:
        raise bad_request("IMAGE_PROCESS_FAILED")
    sides = [_scaled(size, MAX_PHOTO_SIDE)]
    if max(size) > THUMB_SIDE:
        sides.insert(0, _scaled(size, THUMB_SIDE))
    photo: list[dict[str, Any]] = []
    for width, height in sides:
        file_id, unique_id = state.new_file_ids("photo")
        path = f"photos/file_{state.serial()}.jpg"
        record = FileRecord(file_id, unique_id, data, path, None, "image/jpeg", "photo")
        record.width, record.height = width, height
        state.store_file(record)
        photo.append(
            {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_size": len(data),
                "width": width,
                "height": height,
            }
        )
    for item in photo:
        state.photo_sets[item["file_id"]] = photo
    return photo


def _scaled(size: tuple[int, int], limit: int) -> tuple[int, int]:
    width, height = size
    ratio = min(1.0, limit / max(width, height))
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def input_file(state: FakeState, p: Params, name: str) -> UploadedFile | FileRecord:
    """The `document`/`photo` parameter: an upload or an existing file_id (URLs refused)."""
    value = p.file(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if isinstance(value, UploadedFile):
        return value
    if value.lower().startswith(("http://", "https://")):
        # The fake server never fetches anything from the network.
        raise bad_request("failed to get HTTP URL content")
    record = state.files.get(value)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if record.kind != name:
        raise bad_request(f"can't use file of type {record.kind.title()} as {name.title()}")
    return record
