"""Logger and metrics, created once and shared by handlers and the library.

The X-Ray tracer lives with the ingest handler only: importing the X-Ray SDK costs
about 200 ms of cold start (make bench), which the search API's first answer
should not pay; its function is still traced by Lambda itself (Tracing: Active).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="docsearch")
metrics = Metrics(namespace="docsearch", service="docsearch")
