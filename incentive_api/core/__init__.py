"""The pure domain core: rule model, loading and validation, evaluation, money.

Nothing in this package imports Flask or Redis or touches the file system; the
adapters around it (HTTP, cache, CLI, rule-file reading) hand it plain data.
"""
