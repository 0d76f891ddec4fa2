"""sendDocument, sendPhoto and getFile."""

from __future__ import annotations

from typing import Any

from . import formatting
from .errors import bad_request
from .files import input_file, new_document, new_photo
from .models import FileRecord
from .outgoing import bot_message, reachable_chat
from .params import Params
from .registry import method_table
from .state import FakeState

DOWNLOAD_LIMIT = 20 * 1024 * 1024


async def send_document(state: FakeState, p: Params) -> dict[str, Any]:
    """sendDocument with an upload (multipart) or a file_id."""
    chat = reachable_chat(state, p)
    caption, entities = formatting.caption(p)
    source = input_file(state, p, "document")
    if isinstance(source, FileRecord):
        document = _document_of(source)
    else:
        document = new_document(state, source.data, source.filename, source.content_type)
    message = bot_message(
        state,
        chat,
        "sendDocument",
        p,
        document=document,
        caption=caption,
        caption_entities=entities,
        source_text=p.text("caption"),
        parse_mode=p.text("parse_mode"),
    )
    return message.to_api()


async def send_photo(state: FakeState, p: Params) -> dict[str, Any]:
    """sendPhoto with an upload (multipart) or a file_id."""
    chat = reachable_chat(state, p)
    caption, entities = formatting.caption(p)
    source = input_file(state, p, "photo")
    if isinstance(source, FileRecord):
        photo = state.photo_sets[source.file_id]
    else:
        photo = new_photo(state, source.data)
    message = bot_message(
        state,
        chat,
        "sendPhoto",
        p,
        photo=photo,
        caption=caption,
        caption_entities=entities,
        source_text=p.text("caption"),
        parse_mode=p.text("parse_mode"),
    )
    return message.to_api()


async def get_file(state: FakeState, p: Params) -> dict[str, Any]:
    """getFile: the path to download from {base}/file/bot{token}/{file_path}."""
    record = state.files.get(p.text("file_id", required=True) or "")
    if record is None:
        raise bad_request("invalid file_id")
    if len(record.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return record.to_api()


def _document_of(record: FileRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
    if record.file_name:
        out["file_name"] = record.file_name
    if record.mime_type:
        out["mime_type"] = record.mime_type
    out["file_size"] = len(record.data)
    return out


METHODS = method_table(sendDocument=send_document, sendPhoto=send_photo, getFile=get_file)
