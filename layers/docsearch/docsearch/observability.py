"""Logger of both functions and the ingest function's metrics, created once.

The core logs and measures nothing: it returns outcomes, and the handlers (the edges)
log and measure them. The service name is each function's own ``POWERTOOLS_SERVICE_NAME``
(the template sets it per function; the local stack too), read by Powertools itself.

No Powertools Tracer: the X-Ray SDK it needs brings a second botocore into the layer and
patches every client at import (ingest cold start 3.3x ``import boto3`` with it); both
functions are still traced by Lambda itself (``Tracing: Active``). docs/performance.md.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "docsearch"

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)
