"""Where the commands act: the local stack (default) or an AWS deployment.

Local values come from ``docsearch_local.paths.stack_config()`` (the same
environment variables ``make up`` reads). On AWS, ``--stack`` reads the
CloudFormation outputs (API URL, bucket, queue URLs, engine endpoint and service,
index alias and replicas); explicit options win.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from docsearch.settings import DEFAULT_INDEX_ALIAS, DEFAULT_REGION, Settings

# Commands (a reindex, a backfill's _bulk) wait longer on the engine than a function does.
ENGINE_TIMEOUT_S = 30.0


class TargetError(Exception):
    """A value the command needs is missing (e.g. no bucket on AWS)."""


@dataclass(frozen=True)
class Target:
    local: bool
    region: str
    api_url: str
    opensearch_url: str
    index_alias: str
    bucket: str
    queue_url: str = ""
    dlq_url: str = ""
    queue_name: str = ""
    dlq_name: str = ""
    profile: str | None = None
    aws_endpoint: str | None = None
    engine_service: str = ""  # "es" or "aoss" from the stack's outputs; else guessed from the endpoint
    index_replicas: int | None = None

    @property
    def opensearch_service(self) -> str:
        if self.engine_service:
            return self.engine_service
        return "aoss" if ".aoss." in (urlsplit(self.opensearch_url).hostname or "") else "es"

    @property
    def signs_opensearch(self) -> bool:
        host = urlsplit(self.opensearch_url).hostname or ""
        return not self.local and host.endswith((".amazonaws.com", ".on.aws"))

    @cached_property
    def session(self) -> Any:
        import boto3

        if self.local:
            from docsearch_local.aws_resources import local_session

            return local_session(self.region)
        return boto3.Session(profile_name=self.profile, region_name=self.region)

    def need(self, *fields: str) -> None:
        """Fail early, with the option to pass, when a value a command needs is unknown (AWS without --stack)."""
        options = {"bucket": "--bucket", "api_url": "--api-url", "opensearch_url": "--opensearch-url"}
        missing = [options.get(name, name) for name in fields if not getattr(self, name)]
        if missing:
            raise TargetError(f"unknown {', '.join(missing)}: pass it (or --stack NAME to read the stack's outputs)")

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.aws_endpoint)

    def opensearch(self) -> Any:
        from docsearch.engine import build_client

        return build_client(self._engine_settings())

    def search_client(self) -> Any:
        """The search function's own client (its reads), as the search function builds it."""
        from docsearch.search.client import SearchClient

        return SearchClient.from_settings(self._engine_settings())

    def _engine_settings(self) -> Settings:
        """The settings an engine client is built from; both clients sign with the default session's
        credentials, so ``--profile`` is made that session's profile."""
        self.need("opensearch_url")
        settings = self.settings()
        if settings.opensearch_auth == "sigv4" and self.profile:
            os.environ["AWS_PROFILE"] = self.profile
        return settings

    def settings(self) -> Settings:
        """The functions' configuration model, for where this command acts."""
        return Settings(
            opensearch_url=self.opensearch_url,
            opensearch_auth="sigv4" if self.signs_opensearch else "none",
            opensearch_service="aoss" if self.opensearch_service == "aoss" else "es",
            region=self.region,
            index_alias=self.index_alias,
            opensearch_timeout_s=ENGINE_TIMEOUT_S,
            # The outlet folders, as the stack's SourcePrefixes gives the ingest function (backfill and
            # reindex --from-bucket extract as it does); the CLI is an edge and may read its environment.
            source_prefixes=os.environ.get("SOURCE_PREFIXES", ""),
        )

    def queue_urls(self) -> tuple[str, str]:
        """(queue URL, dead-letter queue URL), looked up by name when only names are known."""
        if self.queue_url and self.dlq_url:
            return self.queue_url, self.dlq_url
        if not (self.queue_name and self.dlq_name):
            raise TargetError("the queue URLs are unknown: pass --queue-url and --dlq-url (or --stack)")
        sqs = self.client("sqs")
        queue = self.queue_url or sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
        dlq = self.dlq_url or sqs.get_queue_url(QueueName=self.dlq_name)["QueueUrl"]
        return str(queue), str(dlq)


def add_target_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where (default: the local stack)")
    group.add_argument("--profile", help="AWS profile: act on AWS instead of the local stack")
    group.add_argument("--region", help="AWS region (default: the profile's, or ap-southeast-3 locally)")
    group.add_argument("--stack", help="CloudFormation stack name: read bucket, API and queue URLs from its outputs")
    group.add_argument("--endpoint", help="S3/SQS endpoint URL (e.g. an emulator)")
    group.add_argument("--api-url", help="search API base URL")
    group.add_argument("--opensearch-url", help="OpenSearch endpoint (SigV4-signed when it is on amazonaws.com)")
    group.add_argument("--index", help="index alias (default: INDEX_ALIAS / DOCSEARCH_INDEX_ALIAS or 'articles')")
    group.add_argument("--bucket", help="article bucket")
    group.add_argument("--queue-url", help="ingest queue URL")
    group.add_argument("--dlq-url", help="dead-letter queue URL")


def resolve(args: argparse.Namespace) -> Target:
    remote = any(getattr(args, name, None) for name in ("profile", "stack")) or bool(
        getattr(args, "region", None) and not getattr(args, "endpoint", None)
    )
    target = _aws(args) if remote else _local()
    overrides = {
        "region": args.region,
        "api_url": args.api_url,
        "opensearch_url": args.opensearch_url,
        "index_alias": args.index,
        "bucket": args.bucket,
        "queue_url": args.queue_url,
        "dlq_url": args.dlq_url,
        "aws_endpoint": args.endpoint,
    }
    target = replace(target, **{k: v for k, v in overrides.items() if v})
    return replace(target, api_url=target.api_url.rstrip("/"), opensearch_url=target.opensearch_url.rstrip("/"))


def _local() -> Target:
    from docsearch_local.paths import stack_config

    config = stack_config()
    return Target(
        local=True,
        region=config.region,
        api_url=config.api_url,
        opensearch_url=config.opensearch_url,
        index_alias=config.index_alias,
        bucket=config.bucket,
        queue_name=config.queue,
        dlq_name=config.dlq,
        aws_endpoint=config.aws_url,
    )


def _aws(args: argparse.Namespace) -> Target:
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    region = session.region_name or DEFAULT_REGION
    outputs: dict[str, str] = {}
    if args.stack:
        cloudformation = session.client("cloudformation", region_name=region)
        stack = cloudformation.describe_stacks(StackName=args.stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return Target(
        local=False,
        region=region,
        api_url=outputs.get("ApiUrl", os.environ.get("DOCSEARCH_API_URL", "")),
        opensearch_url=outputs.get("EngineEndpoint", os.environ.get("OPENSEARCH_URL", "")),
        index_alias=outputs.get("IndexAlias", os.environ.get("INDEX_ALIAS", DEFAULT_INDEX_ALIAS)),
        bucket=outputs.get("BucketName", ""),
        queue_url=outputs.get("QueueUrl", ""),
        dlq_url=outputs.get("DLQUrl", ""),
        profile=args.profile,
        engine_service=outputs.get("EngineService", ""),
        index_replicas=int(outputs["IndexReplicas"]) if outputs.get("IndexReplicas", "").isdigit() else None,
    )
