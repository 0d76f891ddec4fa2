"""Bot API errors with the status codes and descriptions Telegram uses."""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

_SERVER_PHRASES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A Bot API failure; `payload()` is the JSON body Telegram would send."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        html: str | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        # Sent instead of the JSON body: a proxy's error page in front of the Bot API.
        self.html = html

    def payload(self) -> dict[str, Any]:
        """The `{"ok": false, ...}` response body."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 "Bad Request: <detail>"."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 "Forbidden: <detail>"."""
    return ApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> ApiError:
    """409 "Conflict: <detail>"."""
    return ApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with `parameters.retry_after`, as Telegram's flood control answers."""
    retry_after = max(1, int(retry_after))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def server_error(status: int) -> ApiError:
    """A 5xx with the plain HTTP phrase as description."""
    return ApiError(status, _SERVER_PHRASES.get(status, "Internal Server Error"))


def proxy_error_page(status: int) -> ApiError:
    """A 5xx with an HTML body, as nginx in front of the Bot API answers when it is down."""
    phrase = _SERVER_PHRASES.get(status, "Internal Server Error")
    page = (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return ApiError(status, phrase, html=page)


def unauthorized() -> ApiError:
    """401 for a token the server does not know."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """404 for an unknown method."""
    return ApiError(404, "Not Found")
