"""Helpers shared by the test suite; `support.contract` holds the API-contract fixtures."""
