"""The use cases every adapter calls: decide one request or a batch, fetch a record, reload and dry-run rules."""
