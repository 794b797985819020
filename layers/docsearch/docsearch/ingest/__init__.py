"""Ingest path: S3 notification -> object bytes -> extracted article -> plan -> one `_bulk` per batch.

Read in this order: `events`, `objects`, `extract/`, `article`, `batch`, `bulk`.
"""
