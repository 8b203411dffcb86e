"""The use cases, one module each, and the composition root (container.py) that builds them and their
adapters once per process. HTTP and the command line call these; they call the core and the adapters."""
