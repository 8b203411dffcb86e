"""What lies outside the process, each behind a small adapter the service layer uses: rule files, the keys
file, receipt keys, the decision log, decision records, the answer cache and Redis, metrics, log lines and
child processes. Adapters import the core, never the service layer or the HTTP app."""
