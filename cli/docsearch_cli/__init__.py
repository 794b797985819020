"""The `docsearch` command: upload, backfill, search, stats, reindex and redrive, locally or on AWS."""

__version__ = "0.1.0"
