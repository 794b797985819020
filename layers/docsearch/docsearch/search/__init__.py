"""Search path: request model -> parsed query -> engine query -> run -> shaped results; stored documents.

Read in this order: `models`, `parse`, `query`, `run`, `results`, `documents`.
"""
