"""Index setup: the CloudFormation custom resource that creates the index during the deploy.

Create and Update run docsearch.index.setup.prepare_index on the endpoint and alias the resource names
(idempotent: an existing index is kept); Delete leaves the index, the data stays. The answer goes to
CloudFormation's pre-signed ResponseURL; a refused call fails the deploy with the engine's reason.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from opensearchpy import OpenSearch
from opensearchpy.exceptions import AuthorizationException, ConnectionError, ConnectionTimeout

from docsearch.engine import build_client
from docsearch.index.setup import prepare_index
from docsearch.observability import logger
from docsearch.settings import get_settings

# A new collection's data access policy, and a new domain's access policy, take up to a few minutes to
# apply after CloudFormation reports them created: until then the engine answers 403 (or its endpoint
# does not resolve yet). Calls are retried this long, then the 403 is the deploy's failure reason.
SETTLE_S = 240.0
# 24 tries within SETTLE_S: a policy applied is seen within ten seconds, and each refusal is one log line.
RETRY_EVERY_S = 10.0
# Time kept back from the function's timeout to send the answer (one small HTTPS PUT).
ANSWER_MARGIN_S = 20.0
RETRIED = (AuthorizationException, ConnectionError, ConnectionTimeout)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    remaining_s = context.get_remaining_time_in_millis() / 1000 - ANSWER_MARGIN_S
    answer = handle(event, client_for, settle_s=min(SETTLE_S, max(0.0, remaining_s)))
    logger.info("custom resource answer", extra={"request": event.get("RequestType"), "answer": answer})
    send(event["ResponseURL"], answer)


def client_for(properties: dict[str, Any]) -> OpenSearch:
    """The ingest function's client (its settings, its role), on the endpoint the resource names."""
    return build_client(dataclasses.replace(get_settings(), opensearch_url=properties["Endpoint"]))


def handle(
    event: dict[str, Any],
    make_client: Callable[[dict[str, Any]], OpenSearch],
    settle_s: float = SETTLE_S,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The response CloudFormation expects for ``event`` (SUCCESS or FAILED, never an exception)."""
    properties = event.get("ResourceProperties", {})
    physical_id = event.get("PhysicalResourceId") or _physical_id(properties)
    answer: dict[str, Any] = {
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "PhysicalResourceId": physical_id,
        "Status": "SUCCESS",
    }
    if event.get("RequestType") == "Delete":
        return answer  # the index stays: its documents are rebuilt from the bucket only by choice
    answer["PhysicalResourceId"] = _physical_id(properties)  # a new endpoint or alias: a new resource
    try:
        replicas = int(properties["IndexReplicas"]) if properties.get("IndexReplicas") not in (None, "") else None
        client = make_client(properties)
        index = _settled(lambda: prepare_index(client, properties["IndexAlias"], replicas), settle_s, sleep)
    except Exception as error:
        logger.exception("index setup failed")
        answer.update(Status="FAILED", Reason=_reason(error))
        return answer
    answer["Data"] = {"Index": index}
    return answer


def _settled(
    call: Callable[[], str],
    settle_s: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """``call()``, retried every RETRY_EVERY_S on a refusal or an unreachable endpoint for about ``settle_s``,
    by the count of waits and by the clock: a call that hangs to its timeout (OPENSEARCH_TIMEOUT_S, 20 s in
    the template) uses the time too, so the answer is still sent before the function's own timeout."""
    started = clock()
    for _ in range(int(settle_s // RETRY_EVERY_S)):
        try:
            return call()
        except RETRIED as error:
            if clock() - started + RETRY_EVERY_S > settle_s:
                raise
            logger.warning("engine not ready or access not yet applied; retrying", extra={"error": str(error)})
            sleep(RETRY_EVERY_S)
    return call()


def _physical_id(properties: dict[str, Any]) -> str:
    return f"{properties.get('IndexAlias', '')}@{properties.get('Endpoint', '')}"


def _reason(error: Exception) -> str:
    # CloudFormation shows the reason in the stack events; the whole response must stay under 4 KB.
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, AuthorizationException):
        text = f"the ingest role may not make ingest's engine calls (check the access policy): {text}"
    return text[:1000]


def send(url: str, answer: dict[str, Any]) -> None:
    """PUT the answer to CloudFormation's pre-signed URL (it expects no content type)."""
    body = json.dumps(answer).encode()
    request = urllib.request.Request(  # noqa: S310 (CloudFormation's https URL)
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()
