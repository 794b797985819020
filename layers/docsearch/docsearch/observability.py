"""Logger, tracer and metrics, created once and shared by handlers and the library."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="docsearch")
tracer = Tracer(service="docsearch")
metrics = Metrics(namespace="docsearch", service="docsearch")
