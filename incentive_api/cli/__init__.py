"""The command line: rules check, rules test, evaluate."""
