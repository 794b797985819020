"""Logger and metrics, created once and shared by handlers and the library.

No Powertools Tracer: the X-Ray SDK it needs brings a second botocore into the layer and
patches every client at import (ingest cold start 3.3x ``import boto3`` with it); both
functions are still traced by Lambda itself (``Tracing: Active``). docs/performance.md.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="docsearch")
metrics = Metrics(namespace="docsearch", service="docsearch")
