"""The public keys that verify X-Receipt signatures, as a JWK Set; public, since they hold no secret."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..adapters.receipts import ReceiptSigner
from .responses import json_response

bp = Blueprint("receipts", __name__)


@bp.record_once
def _load_signer(state) -> None:
    """Once per app, at start-up (in the gunicorn master: the app is preloaded), unless the factory gave one."""
    app = state.app
    if "receipts" not in app.extensions:
        app.extensions["receipts"] = ReceiptSigner.load_or_create(app.extensions["incentive"].settings.receipt_keys_file)


def receipt_signer() -> ReceiptSigner:
    return current_app.extensions["receipts"]


@bp.get("/v1/receipts/keys")
def keys():
    return json_response(receipt_signer().jwks())
