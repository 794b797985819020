"""Security and wiring properties of the SAM template (template.yaml).

Static checks only: no AWS calls, no SAM CLI. Conditional parts of the template
(`Fn::If`) are checked in every branch, or evaluated for concrete parameter
values where the behaviour depends on a parameter (auth mode, CORS, es/aoss).

DOCSEARCH_TEMPLATE=/path/to/other.yaml points the tests at another file, which
is how the tests were checked to fail on broken templates.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from docsearch_local import cfn

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = Path(os.environ.get("DOCSEARCH_TEMPLATE", ROOT / "template.yaml"))

NO_VALUE = cfn.NO_VALUE
SEARCH_ROUTES = {
    ("/search", "get"),
    ("/documents/{id}", "get"),
    ("/health", "get"),
    ("/openapi.json", "get"),
    ("/{proxy+}", "any"),  # unknown paths and other methods: the function's JSON 404/405
}
ANY_METHOD = "x-amazon-apigateway-any-method"


def _body_method(method: str) -> str:
    return ANY_METHOD if method == "any" else method


# --------------------------------------------------------------------------- loading


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return cfn.load_template(path)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def of_type(resources: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in resources.items() if res["Type"] == type_}


# --------------------------------------------------------------------------- condition evaluation

param_values = cfn.param_values
eval_condition = cfn.eval_condition
resolve = cfn.resolve


def all_branches(node: Any) -> Iterator[Any]:
    """Yield a node, or every non-NoValue branch of a (nested) Fn::If."""
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        _, if_true, if_false = node["Fn::If"]
        yield from all_branches(if_true)
        yield from all_branches(if_false)
    elif node != NO_VALUE:
        yield node


# --------------------------------------------------------------------------- IAM helpers


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_documents(resources: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] in {
            "AWS::S3::BucketPolicy",
            "AWS::SQS::QueuePolicy",
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
        }:
            yield name, props["PolicyDocument"]
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield f"{name}/{policy['PolicyName']}", policy["PolicyDocument"]
        if res["Type"] == "AWS::Serverless::Function":
            for policy in as_list(props.get("Policies", [])):
                if isinstance(policy, dict) and "Statement" in policy:
                    yield f"{name}/Policies", policy


def statements(resources: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement in every policy document, in every Fn::If branch."""
    for owner, document in policy_documents(resources):
        for entry in as_list(document["Statement"]):
            for statement in all_branches(entry):
                yield owner, statement


def actions_of(statement: dict[str, Any]) -> list[str]:
    return [a for a in as_list(statement.get("Action", [])) if isinstance(a, str)]


def role_statements(
    resources: dict[str, Any], role: str, template: dict[str, Any], params: dict[str, Any]
) -> list[dict[str, Any]]:
    out = []
    for policy in resources[role]["Properties"]["Policies"]:
        resolved = resolve(policy["PolicyDocument"], template, params)
        out.extend(as_list(resolved["Statement"]))
    return out


def opensearch_statements(stmts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in stmts if any(a.startswith(("es:", "aoss:")) for a in actions_of(s))]


# --------------------------------------------------------------------------- basics


def test_is_a_sam_template(template: dict[str, Any]) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_globals(template: dict[str, Any]) -> None:
    fn = template["Globals"]["Function"]
    assert fn["Runtime"] == "python3.12"
    assert fn["Tracing"] == "Active"
    assert fn["Architectures"] == ["x86_64"]
    assert {"Ref": "DocsearchLayer"} in fn["Layers"]
    env = fn["Environment"]["Variables"]
    for var in (
        "OPENSEARCH_URL",
        "OPENSEARCH_AUTH",
        "OPENSEARCH_SERVICE",
        "INDEX_ALIAS",
        "MAX_OBJECT_BYTES",
        "POWERTOOLS_METRICS_NAMESPACE",
        "LOG_LEVEL",
    ):
        assert var in env, var
    assert env["OPENSEARCH_AUTH"] == "sigv4"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "docsearch"


def test_functions_and_layer_code_locations(resources: dict[str, Any]) -> None:
    assert resources["IngestFunction"]["Properties"]["CodeUri"] == "functions/ingest/"
    assert resources["SearchFunction"]["Properties"]["CodeUri"] == "functions/search/"
    for fn in ("IngestFunction", "SearchFunction"):
        assert resources[fn]["Properties"]["Handler"] == "app.lambda_handler"
        assert "POWERTOOLS_SERVICE_NAME" in resources[fn]["Properties"]["Environment"]["Variables"]
    layer = resources["DocsearchLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/docsearch/"
    assert layer["Metadata"]["BuildMethod"] == "makefile"  # layers/docsearch/Makefile


def test_the_model_layer_goes_only_where_a_model_runs(template: dict[str, Any], resources: dict[str, Any]) -> None:
    """Ingest embeds articles and search embeds queries; the index-setup function never loads the 113 MB layer."""
    assert {"Ref": "ModelLayer"} not in template["Globals"]["Function"]["Layers"]
    for fn in ("IngestFunction", "SearchFunction"):
        assert resources[fn]["Properties"]["Layers"] == [{"Ref": "ModelLayer"}], fn
    assert "Layers" not in resources["IndexSetupFunction"]["Properties"]
    assert resources["ModelLayer"]["Properties"]["ContentUri"] == "layers/model/"


def test_parameter_defaults(template: dict[str, Any]) -> None:
    params = template["Parameters"]
    assert params["Engine"]["AllowedValues"] == ["domain", "serverless", "existing"]
    assert params["Engine"]["Default"] == "domain"
    assert params["OpenSearchService"]["AllowedValues"] == ["es", "aoss"]
    assert params["AuthMode"]["AllowedValues"] == ["NONE", "IAM", "JWT"]
    assert params["AuthMode"]["Default"] != "NONE", "the API must not be public by default"
    assert params["MaxReceiveCount"]["Default"] == 3
    assert params["IndexAlias"]["Default"] == "articles"
    assert params["MaxObjectBytes"]["Default"] == 10485760


def test_outputs(template: dict[str, Any]) -> None:
    assert {"ApiUrl", "BucketName", "QueueUrl", "DLQUrl"} <= set(template["Outputs"])


# --------------------------------------------------------------------------- bucket


@pytest.fixture(scope="module")
def bucket(resources: dict[str, Any]) -> dict[str, Any]:
    buckets = of_type(resources, "AWS::S3::Bucket")
    assert list(buckets) == ["ArticlesBucket"]
    return buckets["ArticlesBucket"]["Properties"]


def test_bucket_blocks_all_public_access(bucket: dict[str, Any]) -> None:
    pab = bucket["PublicAccessBlockConfiguration"]
    for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        assert pab.get(key) is True, key


def test_bucket_encrypted(bucket: dict[str, Any]) -> None:
    rules = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules
    for rule in rules:
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms", "aws:kms:dsse"}


def test_bucket_versioned_and_acls_disabled(bucket: dict[str, Any]) -> None:
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_bucket_policy_denies_non_tls(resources: dict[str, Any]) -> None:
    policies = [
        p
        for p in of_type(resources, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "ArticlesBucket"}
    ]
    assert len(policies) == 1
    denies = [
        s
        for s in as_list(policies[0]["Properties"]["PolicyDocument"]["Statement"])
        if s["Effect"] == "Deny"
        and s.get("Principal") in ("*", {"AWS": "*"})
        and "s3:*" in as_list(s["Action"])
        and str(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
    ]
    assert denies, "no Deny on aws:SecureTransport=false"
    res = as_list(denies[0]["Resource"])
    assert {"Fn::GetAtt": ["ArticlesBucket", "Arn"]} in res
    assert {"Fn::Sub": "${ArticlesBucket.Arn}/*"} in res


def test_bucket_notifies_queue_after_queue_policy(resources: dict[str, Any], bucket: dict[str, Any]) -> None:
    configs = bucket["NotificationConfiguration"]["QueueConfigurations"]
    events = {c["Event"] for c in configs if c["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}}
    assert events == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
    assert "IngestQueuePolicy" in as_list(resources["ArticlesBucket"].get("DependsOn", []))


def test_queue_policy_only_lets_this_bucket_send(resources: dict[str, Any], bucket: dict[str, Any]) -> None:
    doc = resources["IngestQueuePolicy"]["Properties"]["PolicyDocument"]
    allows = [s for s in as_list(doc["Statement"]) if s["Effect"] == "Allow"]
    assert len(allows) == 1
    stmt = allows[0]
    assert stmt["Principal"] == {"Service": "s3.amazonaws.com"}
    assert as_list(stmt["Action"]) == ["sqs:SendMessage"]
    cond = stmt["Condition"]
    source_arn, source_variables = cond["ArnEquals"]["aws:SourceArn"]["Fn::Sub"]
    name, name_variables = bucket["BucketName"]["Fn::Sub"]
    assert (source_arn, source_variables) == ("arn:${AWS::Partition}:s3:::" + name, name_variables)
    assert cond["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# --------------------------------------------------------------------------- queues


def test_queues_encrypted(resources: dict[str, Any]) -> None:
    queues = of_type(resources, "AWS::SQS::Queue")
    assert set(queues) == {"IngestQueue", "DeadLetterQueue"}
    for name, queue in queues.items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, name


def test_redrive_to_dlq(template: dict[str, Any], resources: dict[str, Any]) -> None:
    redrive = resources["IngestQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert redrive["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}
    assert template["Parameters"]["MaxReceiveCount"]["Default"] == 3
    assert resources["DeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] == 1209600


def test_visibility_timeout_covers_six_function_timeouts(template: dict[str, Any], resources: dict[str, Any]) -> None:
    timeout = resources["IngestFunction"]["Properties"].get("Timeout", template["Globals"]["Function"]["Timeout"])
    assert resources["IngestQueue"]["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_ingest_function_reports_batch_item_failures(resources: dict[str, Any]) -> None:
    events = resources["IngestFunction"]["Properties"]["Events"]
    sqs = [e["Properties"] for e in events.values() if e["Type"] == "SQS"]
    assert len(sqs) == 1
    assert sqs[0]["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}
    assert sqs[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sqs[0]["BatchSize"] == 10
    assert sqs[0]["MaximumBatchingWindowInSeconds"] <= 10


# --------------------------------------------------------------------------- IAM


def test_no_data_action_on_wildcard_resource(resources: dict[str, Any]) -> None:
    offenders = []
    for owner, stmt in statements(resources):
        if stmt["Effect"] != "Allow":
            continue
        data_actions = [a for a in actions_of(stmt) if a == "*" or a.split(":")[0] in {"s3", "es", "aoss", "sqs"}]
        wildcard = [
            r for r in as_list(stmt.get("Resource", [])) if r == "*" or (isinstance(r, str) and r.endswith(":::*"))
        ]
        if data_actions and wildcard:
            offenders.append((owner, stmt.get("Sid"), data_actions))
    assert not offenders


def test_no_wildcard_actions_in_allow_statements(resources: dict[str, Any]) -> None:
    offenders = [
        (owner, stmt.get("Sid"), action)
        for owner, stmt in statements(resources)
        if stmt["Effect"] == "Allow"
        for action in actions_of(stmt)
        if "*" in action
    ]
    assert not offenders
    # Deny statements are the only place a service wildcard may appear.
    assert any("s3:*" in actions_of(s) for _, s in statements(resources) if s["Effect"] == "Deny")


def test_functions_use_explicit_least_privilege_roles(template: dict[str, Any], resources: dict[str, Any]) -> None:
    # With a Role, SAM attaches no managed policies (AWSLambdaSQSQueueExecutionRole and
    # AWSLambdaBasicExecutionRole would grant sqs/logs actions on Resource "*").
    for fn in ("IngestFunction", "SearchFunction"):
        props = resources[fn]["Properties"]
        assert props["Role"] == {"Fn::GetAtt": [f"{fn}Role", "Arn"]}
        assert "Policies" not in props
        role = resources[f"{fn}Role"]["Properties"]
        assert not resolve(role, template, param_values(template)).get("ManagedPolicyArns")
        in_vpc = resolve(role, template, param_values(template, VpcSubnetIds="subnet-1", VpcSecurityGroupIds="sg-1"))
        assert in_vpc["ManagedPolicyArns"] == [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}
        ]


def test_ingest_s3_access_is_read_only_and_scoped(template: dict[str, Any], resources: dict[str, Any]) -> None:
    stmts = role_statements(resources, "IngestFunctionRole", template, param_values(template))
    s3 = [s for s in stmts if any(a.startswith("s3:") for a in actions_of(s))]
    granted = {(a, str(r)) for s in s3 for a in actions_of(s) for r in as_list(s["Resource"])}
    assert granted == {
        ("s3:GetObject", str({"Fn::Sub": "${ArticlesBucket.Arn}/*"})),
        ("s3:GetObjectVersion", str({"Fn::Sub": "${ArticlesBucket.Arn}/*"})),
        ("s3:ListBucket", str({"Fn::GetAtt": ["ArticlesBucket", "Arn"]})),
    }
    sqs = [s for s in stmts if any(a.startswith("sqs:") for a in actions_of(s))]
    assert [s["Resource"] for s in sqs] == [{"Fn::GetAtt": ["IngestQueue", "Arn"]}]


def test_search_reads_only_the_alias_list_from_the_bucket(template: dict[str, Any], resources: dict[str, Any]) -> None:
    stmts = role_statements(resources, "SearchFunctionRole", template, param_values(template))
    s3 = [s for s in stmts if any(a.startswith("s3:") for a in actions_of(s))]
    granted = {(a, str(r)) for s in s3 for a in actions_of(s) for r in as_list(s["Resource"])}
    assert granted == {("s3:GetObject", str({"Fn::Sub": "${ArticlesBucket.Arn}/_config/aliases.txt"}))}
    env = resources["SearchFunction"]["Properties"]["Environment"]["Variables"]
    assert env["ALIASES_OBJECT"] == {"Fn::Sub": "s3://${ArticlesBucket}/_config/aliases.txt"}


# The engine's grants, per engine choice: tests/infrastructure/test_engines.py


# --------------------------------------------------------------------------- HTTP API


@pytest.fixture(scope="module")
def api(resources: dict[str, Any]) -> dict[str, Any]:
    apis = of_type(resources, "AWS::Serverless::HttpApi")
    assert list(apis) == ["SearchApi"]
    return apis["SearchApi"]["Properties"]


def test_search_routes_are_http_api_events(resources: dict[str, Any]) -> None:
    events = resources["SearchFunction"]["Properties"]["Events"].values()
    routes = {(e["Properties"]["Path"], e["Properties"]["Method"].lower()) for e in events if e["Type"] == "HttpApi"}
    assert routes == SEARCH_ROUTES
    assert all(e["Properties"]["ApiId"] == {"Ref": "SearchApi"} for e in events)


def test_api_throttled(api: dict[str, Any]) -> None:
    settings = api["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}


def test_api_access_logged(api: dict[str, Any], resources: dict[str, Any]) -> None:
    dest = api["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert resources[dest]["Type"] == "AWS::Logs::LogGroup"


def test_cors_off_by_default_and_never_wildcard(template: dict[str, Any], api: dict[str, Any]) -> None:
    param = template["Parameters"]["CorsAllowOrigin"]
    assert param["Default"] == ""
    pattern = re.compile(param["AllowedPattern"])
    assert not pattern.fullmatch("*")
    assert not pattern.fullmatch("https://*.example.com")
    assert pattern.fullmatch("https://app.example.com,http://localhost:5173")
    assert "CorsConfiguration" not in api, "CORS is configured in DefinitionBody (conditionally)"

    default_body = resolve(api["DefinitionBody"], template, param_values(template))
    assert "x-amazon-apigateway-cors" not in default_body

    body = resolve(api["DefinitionBody"], template, param_values(template, CorsAllowOrigin="https://app.example.com"))
    cors = body["x-amazon-apigateway-cors"]
    assert cors["allowOrigins"] == {"Fn::Split": [",", {"Ref": "CorsAllowOrigin"}]}
    assert "*" not in str(cors)


@pytest.mark.parametrize(
    ("mode", "scheme"),
    [("IAM", "AWS_IAM"), ("JWT", "JwtAuthorizer"), ("NONE", None)],
)
def test_every_route_gets_the_selected_authorizer(
    template: dict[str, Any], api: dict[str, Any], mode: str, scheme: str | None
) -> None:
    body = resolve(api["DefinitionBody"], template, param_values(template, AuthMode=mode))
    paths = body["paths"]
    # SAM would silently add an event route missing from the body without any auth.
    assert {(p, "any" if m == ANY_METHOD else m) for p, methods in paths.items() for m in methods} == SEARCH_ROUTES
    schemes = body.get("components", {}).get("securitySchemes", {})
    for path, method in SEARCH_ROUTES:
        security = paths[path][_body_method(method)].get("security")
        if scheme is None:
            assert security is None, path
        else:
            assert security == [{scheme: []}], path
    if scheme is None:
        assert schemes == {}
    else:
        assert list(schemes) == [scheme]
    if mode == "JWT":
        jwt = schemes["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]
        assert jwt["type"] == "jwt"
        assert jwt["jwtConfiguration"] == {"issuer": {"Ref": "JwtIssuer"}, "audience": {"Ref": "JwtAudience"}}


# --------------------------------------------------------------------------- logs


def test_functions_log_to_groups_with_retention(resources: dict[str, Any]) -> None:
    for fn in ("IngestFunction", "SearchFunction"):
        group = resources[fn]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    for name, group in of_type(resources, "AWS::Logs::LogGroup").items():
        assert "RetentionInDays" in group["Properties"], name
