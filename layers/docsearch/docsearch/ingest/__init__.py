"""Ingest path: S3 notification -> object bytes -> extracted article -> plan -> one `_bulk` per wave.

Read in this order: `events`, `objects`, `extract/`, `article`, `batch` (then `state`, `readahead`, `plan`,
`writes`, `outcome`), `bulk`; `backfill` drives the same path from a bucket listing.
"""
