"""What crosses the wire: bounded JSON bodies in, uniform error envelopes out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from runbook.service.config import MAX_BODY_BYTES

# Middleware and exception handlers share this scope key so /api/errors can group 5xx
# responses by the message the client actually saw.
ERROR_MESSAGE_KEY = "runbook.error_message"


class ApiError(Exception):
    """A response-worthy failure: status, a stable machine code and a human message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def invalid(message: str, code: str = "validation_error") -> ApiError:
    return ApiError(422, code, message)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


async def read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(
                400, "invalid_content_length", "Content-Length is not a number"
            ) from None
        if size > MAX_BODY_BYTES:
            raise _too_large()
    chunks: list[bytes] = []
    total = 0
    # Chunked uploads carry no Content-Length, so the limit is enforced while streaming too.
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"request body exceeds {MAX_BODY_BYTES} bytes")


def require_json_content_type(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(
            415, "unsupported_media_type", "send the request body as Content-Type: application/json"
        )


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise ApiError(400, "invalid_json", "request body is empty; expected a JSON object")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
        # JSON can escape lone surrogates (a backslash-u d800) that UTF-8 cannot encode.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "invalid_json", "request body contains invalid Unicode") from None
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "invalid_json", f"request body is not valid JSON: {error}") from None
    return value


async def read_json_object(request: Request) -> dict[str, Any]:
    require_json_content_type(request)
    value = parse_json(await read_body(request))
    if not isinstance(value, dict):
        raise invalid("request body must be a JSON object")
    return value


def get_str(body: Mapping[str, Any], name: str, *, max_length: int = 200) -> str:
    value = body.get(name)
    if value is None:
        raise invalid(f"'{name}' is required")
    if not isinstance(value, str):
        raise invalid(f"'{name}' must be a string")
    value = value.strip()
    if not value:
        raise invalid(f"'{name}' must not be empty")
    if len(value) > max_length:
        raise invalid(f"'{name}' must be at most {max_length} characters")
    return value


def get_optional_str(body: Mapping[str, Any], name: str, *, max_length: int = 200) -> str | None:
    if body.get(name) is None:
        return None
    return get_str(body, name, max_length=max_length)
