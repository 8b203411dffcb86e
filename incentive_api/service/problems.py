"""RFC 9457 problem details as data: the HTTP adapter sends them, a batch answer holds them per item."""

from __future__ import annotations

TYPES = {
    400: ("malformed-json", "Malformed JSON"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "Request timeout"),
    413: ("too-large", "Request body too large"),
    414: ("uri-too-long", "URI too long"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-request", "Invalid request"),
    429: ("too-many-requests", "Too many requests"),
    431: ("headers-too-large", "Request header fields too large"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


def problem_body(status: int, detail: str, errors: list | None = None, title: str | None = None,
                 request_id: str | None = None, slug: str | None = None) -> dict:
    """`slug` names the problem type where the status alone does not (a 400 that is no JSON fault)."""
    default_slug, default_title = TYPES.get(status, ("error", "Error"))
    slug = slug or default_slug
    body = {"type": f"urn:incentive-api:problem:{slug}", "title": title or default_title, "status": status,
            "detail": detail}
    if errors:
        body["errors"] = errors
    if request_id:
        body["request_id"] = request_id
    return body


class Problem(Exception):
    """A use case's refusal, answered as a problem: status, detail, field errors, extra headers."""

    def __init__(self, status: int, detail: str, errors: list | None = None, title: str | None = None,
                 retry_after: int | None = None):
        self.status, self.detail, self.errors, self.title = status, detail, errors, title
        self.retry_after = retry_after
        super().__init__(detail)


class NoRuleset(Problem):
    def __init__(self, detail: str = "No ruleset is loaded yet."):
        super().__init__(503, detail, retry_after=5)


def single_values(args: dict) -> dict:
    """A query string given as {name: [value, ...]}, with each name given once: a repeated one (`?imo=A&imo=B`)
    is refused, as which one was meant is unknowable (a JSON body refuses a repeated key alike)."""
    repeated = sorted(name for name, values in args.items() if isinstance(values, list) and len(values) > 1)
    if repeated:
        raise Problem(422, "The query string is invalid; see errors.",
                      [{"pointer": f"/{name}", "message": f"Give {name} once; it was given "
                        f"{len(args[name])} times."} for name in repeated])
    return {name: values[0] if isinstance(values, list) else values for name, values in args.items()}
