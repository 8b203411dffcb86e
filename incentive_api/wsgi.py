"""The WSGI entry point gunicorn serves: incentive_api.wsgi:app.

gunicorn imports this module once, in the master (preload_app): the services are built there, with an
embedded redis-server as the master's child when no REDIS_URL is set, and workers fork with them.
"""

from .http.app import create_app
from .service.container import build_services

services = build_services(embedded_redis=True)
app = create_app(services.settings, services)
services.sync.start(publish=services.settings.rules_at_start == "publish")
