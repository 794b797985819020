"""Relevance evaluation (``make eval``): labelled queries through the real search function on the real engine.

Our pipeline (``docsearch.search.run.search`` over the project's index definition) is compared with
plain OpenSearch baselines run in the same process on the same engine: the standard analyzer and
the built-in ``indonesian`` analyzer, each with a plain ``multi_match`` over title (boosted) and body.
"""
