"""Every error leaves as `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from flask import Flask, Response, current_app, jsonify
from flask_smorest import Api
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException

from domain.errors import (
    AlreadyExists,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from service.idempotency import IdempotencyKeyReused
from service.settings import ConfigurationError

_STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    IdempotencyKeyReused: 422,
    NotFound: 404,
    Forbidden: 403,
    TransitionNotAllowed: 409,
    AlreadyExists: 409,
    VersionConflict: 409,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    422: "invalid",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An HTTP-level refusal raised by the API layer itself."""

    def __init__(
        self, status: int, message: str, fields: dict[str, Any] | None = None,
        code: str | None = None, headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.code = code or _HTTP_CODES.get(status, "error")
        self.headers = headers or {}


def body_limit() -> str:
    """The largest body accepted, as a person reads it."""
    limit: int = current_app.config["MAX_CONTENT_LENGTH"]
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def envelope(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    return response


def _flatten(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}}); clients want fields."""
    if isinstance(messages, dict):
        fields: dict[str, Any] = {}
        for location, value in messages.items():
            if isinstance(value, dict):
                fields.update(value)
            else:
                fields[location if location not in ("json", "query") else "_body"] = value
        return fields
    return {"_body": messages}


def _summary(fields: dict[str, Any]) -> str:
    names = ", ".join(sorted(fields))
    return f"invalid input: {names}" if names else "invalid input"


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True, metadata={"example": "no agency with code 'NOPE'"})
    field_messages = fields.Dict(
        data_key="fields", keys=fields.String(), required=True,
        metadata={"description": "the fields at fault, each with its messages"})


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class EnvelopeApi(Api):
    """flask-smorest, answering its own errors in this service's envelope, and
    documenting that envelope as every operation's error response."""

    ERROR_SCHEMA = ErrorEnvelope

    def handle_http_exception(self, error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        if "messages" in data:
            fields = _flatten(data["messages"])
            if status == 400 and "_body" in fields:
                return envelope(400, "bad_request", "the body is not valid JSON", fields)
            return envelope(status, _HTTP_CODES.get(status, "invalid"), _summary(fields), fields)
        message = error.description or error.name
        if status == 413:
            message = f"the request body is larger than {body_limit()}"
        return envelope(status, _HTTP_CODES.get(status, "error"), str(message))


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        status = next(
            (code for cls, code in _STATUS.items() if isinstance(error, cls)), 422
        )
        return envelope(status, error.code, error.message, error.fields)

    @app.errorhandler(ValidationError)
    def invalid(error: ValidationError) -> Response:
        # A schema loaded by a handler itself (a text/plain body), not by
        # flask-smorest's arguments: answered as theirs are.
        fields = error.messages if isinstance(error.messages, dict) else {
            "_body": error.messages}
        return envelope(422, "invalid", _summary(fields), fields)

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        response = envelope(error.status, error.code, error.message, error.fields)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def store_unavailable(error: Exception) -> Response:
        app.logger.warning("event store unavailable: %s", error)
        response = envelope(
            503, "unavailable", "the event store is not reachable, so the request may not "
            "have been carried out; retry it shortly (a write with the same Idempotency-Key "
            "is never stored twice)"
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(ConfigurationError)
    def misconfigured(error: ConfigurationError) -> Response:
        return envelope(500, "misconfigured", str(error))
