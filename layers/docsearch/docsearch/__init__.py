"""docsearch: the core of the Indonesian news search service.

Nothing in this package knows about Lambda events or HTTP; the handlers in
``functions/`` translate at the edge.
"""
