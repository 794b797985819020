"""The index: its definition and Indonesian analysis, the zero-downtime reindex, and the bucket backfill.

Read in this order: `definition`, `analysis`, `reindex`, `backfill`.
"""
