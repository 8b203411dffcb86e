"""The public keys that verify X-Receipt signatures, as a JWK Set; public, since they hold no secret."""

from __future__ import annotations

from flask import Blueprint

from .context import services
from .responses import json_response

bp = Blueprint("receipts", __name__)


@bp.get("/v1/receipts/keys")
def keys():
    return json_response(services().receipts.jwks())
