# incentive-api: gunicorn serving the Flask app, rules baked in (mount over /app/rules to replace them).
# Mount a keys file and set API_KEYS_FILE (make one with `python -m incentive_api keys new NAME --file F`);
# set REDIS_URL for a shared Redis, else an embedded redis-server runs in RUN_DIR.
FROM python:3.11-slim AS build
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --disable-pip-version-check -r requirements.txt

FROM python:3.11-slim
ENV PATH="/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    RULES_DIR=/app/rules \
    RUN_DIR=/tmp/incentive-api \
    LOG_FORMAT=json
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /venv /venv
COPY incentive_api/ incentive_api/
COPY rules/ rules/
COPY openapi.yaml gunicorn.conf.py ./
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz\", timeout=2)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
