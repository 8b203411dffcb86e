"""The WSGI entry point gunicorn serves: incentive_api.wsgi:app."""

from .http.app import create_app

app = create_app()
