"""Logger and metrics of the functions, created once and shared by both handlers.

The core logs and measures nothing: it returns outcomes, and the handlers (the edges)
log and measure them. The service name is each function's own ``POWERTOOLS_SERVICE_NAME``
(the template sets it per function; the local stack too), read by Powertools itself.

The X-Ray tracer lives with the ingest handler only: importing the X-Ray SDK costs
about 200 ms of cold start (make bench), which the search API's first answer
should not pay; its function is still traced by Lambda itself (Tracing: Active).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "docsearch"

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)
