"""docsearch: the core of the Indonesian news search service.

Two data paths, one folder each: ``ingest/`` (events -> objects -> extract -> article ->
batch -> bulk) and ``search/`` (models -> parse -> query -> run -> results, documents);
``index/`` administers the index (definition, analysis, reindex, backfill, stats). Shared at
the root: ``settings`` (the configuration model), ``engine`` (the client and the boundary
between the engine's exceptions and ours), ``errors`` (the project's own errors) and
``observability`` (the functions' logger and metrics; the core itself logs nothing).

Nothing in this package knows about Lambda events or HTTP; the handlers in
``functions/`` translate at the edge.
"""
