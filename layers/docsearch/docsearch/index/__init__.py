"""The index: its definition and Indonesian analysis, the zero-downtime reindex, its stats.

Read in this order: `definition`, `analysis`, `reindex`, `stats`. (The bucket backfill is an ingest driver:
`docsearch.ingest.backfill`; the alias lookups both use: `docsearch.aliases`.)
"""
