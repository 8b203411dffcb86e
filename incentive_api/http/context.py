"""The services of the app that is answering, for views and hooks."""

from __future__ import annotations

from flask import current_app

from ..service.container import Services


def services() -> Services:
    return current_app.extensions["incentive"]
