"""Thin adapters between the domain core and the outside world (files, and later HTTP and cache)."""
