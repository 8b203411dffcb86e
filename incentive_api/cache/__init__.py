"""The cache adapter: an in-process LRU (L1) in front of Redis (L2), and decision records in Redis."""
