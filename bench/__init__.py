"""Benchmarks for incentive-api: run with `python -m bench` (see bench/README.md)."""
