"""Method parameters from a query string, JSON, urlencoded or multipart request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str | None
    data: bytes


async def read_params(request: web.Request) -> Params:
    """Collect parameters the way the Bot API does: query string plus body of any kind."""
    values: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError as exc:
                raise bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            values.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    values[key] = UploadedFile(
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                elif isinstance(value, bytes):
                    values[key] = value.decode()
                else:
                    values[key] = value
    return Params(values)


class Params:
    """Typed access to parameters; values from forms arrive as strings and are coerced."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        """True when the parameter is present and not empty."""
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        """The value as received."""
        return self.values.get(name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, UploadedFile):
            raise bad_request(f"{name} is invalid")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter (JSON number or decimal string)."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError as exc:
            raise bad_request(f"{name} is invalid") from exc

    def flag(self, name: str) -> bool:
        """A boolean parameter; absent means false."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json_value(self, name: str, *, error: str | None = None) -> Any:
        """A JSON-typed parameter, decoded when it came as a string (forms, multipart)."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(error or f"can't parse {name} JSON object") from exc
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload (direct or `attach://`), or a file_id / URL string."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            value = self.values.get(value[len(ATTACH_PREFIX) :])
        if isinstance(value, UploadedFile) or value is None:
            return value
        return str(value) if value != "" else None

    def loggable(self) -> dict[str, Any]:
        """The parameters with file contents replaced by a short description."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if isinstance(value, UploadedFile):
                out[key] = f"<file {value.filename!r}, {len(value.data)} bytes>"
            else:
                out[key] = value
        return out
