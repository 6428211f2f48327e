"""What the OpenAPI schema says of errors: every operation may answer with one, as JSON.

DRF answers 400 (a message per field, or `detail`), 401 (no valid token), 403 (not this
token's scope), 404 (no such row, or a cursor that is not one), 409 (a stale version,
where a write takes one) and 429 (past the rate, with Retry-After). drf-spectacular
documents only the successes; this hook adds the rest, so that a client (and the
schemathesis run in the tests) knows every answer it can get."""

ERROR = {
    "type": "object",
    "description": "`detail`: what is wrong; or, for bad input, a list of messages per field.",
    "additionalProperties": True,
}
ERRORS = {
    "400": "Bad input: nothing was stored.",
    "401": "No valid token (wrong, revoked or expired), or no session.",
    "403": "The token lacks the scope, or the session may not do this.",
    "404": "Nothing there, or a cursor that is not one.",
    "429": "Past the token's rate: try again after Retry-After seconds.",
}


def errors_documented(result, generator, request, public):
    """drf-spectacular's postprocessing hook: the error answers on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": reference})
            if "409" in responses:
                responses["409"].setdefault("content", reference)
    return result
