"""The index: its definition and Indonesian analysis, the zero-downtime reindex, the bucket backfill, its stats.

Read in this order: `definition`, `analysis`, `reindex`, `backfill`, `stats`.
"""
