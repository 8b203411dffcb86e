"""Everything Redis, in one package: clients from REDIS_URL (one server, a cluster or a Sentinel primary), the
shared answer store with its back-off, rate-limit storage, the embedded redis-server, and the published rules'
marker and snapshots. Redis is a cache and a noticeboard here, never a system of record."""
