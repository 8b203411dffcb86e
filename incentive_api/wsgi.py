"""The WSGI entry point gunicorn serves: incentive_api.wsgi:app.

With no REDIS_URL (and the cache on), a real redis-server is started here as a
child of the gunicorn master, on a unix socket in RUN_DIR, restarted by the
master if it dies, and stopped with it.
"""

import dataclasses
import logging

from .cache.embedded import EmbeddedRedis, redis_dir
from .config import Settings
from .http.app import create_app

settings = Settings()
if settings.cache_enabled and not settings.redis_url:
    # gunicorn imports this module once, in the master (preload_app): the master supervises, workers fork without.
    embedded = EmbeddedRedis(redis_dir(settings.run_dir)).start().supervise()
    settings = dataclasses.replace(settings, redis_url=embedded.url)
    logging.getLogger("incentive_api").warning("no REDIS_URL: serving with an embedded redis-server at %s",
                                                embedded.url)

app = create_app(settings)
# Start-up publishes the revision the master holds, and the master follows every later publication,
# so a worker forked at any time (a restart, a timeout) starts with the revision last published.
_sync = app.extensions["incentive"].sync
if app.extensions["incentive"].rules.active is None:
    _sync.adopt_published()  # the directory does not load: serve what was last published, as before
else:
    _sync.publish_active()
_sync.ensure_following()
