"""Each engine choice of template.yaml, rendered as deployed (docsearch_local.cfn): what it creates,
what each role may do on the engine, the alarms and the outputs the CLI reads.

Static: the scanners themselves (sam validate --lint, cfn-lint, checkov) run on every rendered
choice in `make template`; test_make_template_scans_every_engine_choice checks that wiring.
"""

from __future__ import annotations

import json
import re
import types
from typing import Any

import pytest

from docsearch_cli import target as cli_target
from docsearch_local import cfn
from tests.infrastructure.test_template import ROOT, actions_of, as_list, load_template

ENGINE_TYPES = {
    "AWS::OpenSearchService::Domain",
    "AWS::OpenSearchServerless::Collection",
    "AWS::OpenSearchServerless::SecurityPolicy",
    "AWS::OpenSearchServerless::AccessPolicy",
}
DOMAIN = "arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/${AWS::StackName}-search${EngineGeneration}"
# What the functions' engine calls need (docs/deploy.md "Engine calls"), as (method, path under the domain).
INGEST_CALLS = {
    # one lookup per batch (GET _alias/<alias>,<alias>-next): a prefix holds however the comma is matched
    ("es:ESHttpGet", "_alias/${IndexAlias}*"),
    ("es:ESHttpPut", "${IndexAlias}-v*"),
    ("es:ESHttpPost", "_bulk"),
    ("es:ESHttpPost", "${IndexAlias}/_mget"),  # both indices' states, in one request
    ("es:ESHttpPost", "${IndexAlias}/_msearch"),  # earlier copies of a story
    ("es:ESHttpPost", "_aliases"),
}
SEARCH_CALLS = {
    ("es:ESHttpGet", "${IndexAlias}/_doc/*"),
    ("es:ESHttpGet", "_cluster/health"),
    ("es:ESHttpPost", "${IndexAlias}/_search"),
}
ALARMS = {  # name: (namespace, metric, dimension value)
    "DeadLetterDepthAlarm": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]},
    ),
    "DeadLetterAgeAlarm": (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]},
    ),
    "IngestErrorsAlarm": ("AWS/Lambda", "Errors", {"Ref": "IngestFunction"}),
    "IngestThrottlesAlarm": ("AWS/Lambda", "Throttles", {"Ref": "IngestFunction"}),
    "SearchServerErrorsAlarm": ("AWS/ApiGateway", "5xx", {"Ref": "SearchApi"}),
}
CLI_OUTPUTS = {
    "ApiUrl",
    "BucketName",
    "QueueUrl",
    "DLQUrl",
    "EngineEndpoint",
    "EngineService",
    "IndexAlias",
    "IndexReplicas",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module", params=sorted(cfn.CHOICES))
def choice(request: pytest.FixtureRequest, template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return request.param, cfn.render(template, **cfn.CHOICES[request.param])


def _engine(name: str) -> str:
    return name.split("-")[0]


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(policy["Statement"])


def _role_statements(rendered: dict[str, Any], role: str) -> list[dict[str, Any]]:
    props = rendered["Resources"][role]["Properties"]
    return [s for policy in props["Policies"] for s in _statements(policy["PolicyDocument"])]


def _engine_grants(statements: list[dict[str, Any]], prefix: str) -> set[tuple[str, str]]:
    grants = set()
    for s in statements:
        for action in actions_of(s):
            if action.startswith("es:"):
                for resource in as_list(s["Resource"]):
                    grants.add((action, resource["Fn::Sub"].removeprefix(prefix + "/")))
    return grants


def _data_access_rules(rendered: dict[str, Any]) -> list[dict[str, Any]]:
    """The Serverless data access policy as JSON, with ${...} placeholders for what CloudFormation fills in."""
    text, variables = rendered["Resources"]["CollectionAccessPolicy"]["Properties"]["Policy"]["Fn::Sub"]
    operator = variables["Operator"]
    text = text.replace("${Operator}", operator["Fn::Sub"] if isinstance(operator, dict) else operator)
    text = re.sub(r"\$\{([A-Za-z:.]+)\}", lambda m: f"<{m.group(1)}>", text)
    return list(json.loads(text))


# --------------------------------------------------------------------------- what each choice creates


def test_each_choice_creates_only_its_engine(choice: tuple[str, dict[str, Any]]) -> None:
    name, rendered = choice
    engine_resources = {r for r, body in rendered["Resources"].items() if body["Type"] in ENGINE_TYPES}
    expected = {
        "domain": {"SearchDomain"},
        "serverless": {
            "SearchCollection",
            "CollectionEncryptionPolicy",
            "CollectionNetworkPolicy",
            "CollectionAccessPolicy",
        },
        "existing": set(),
    }[_engine(name)]
    assert engine_resources == expected


def test_functions_and_outputs_point_at_the_chosen_engine(choice: tuple[str, dict[str, Any]]) -> None:
    name, rendered = choice
    env = rendered["Globals"]["Function"]["Environment"]["Variables"]
    overrides = cfn.CHOICES[name]
    url, service = {
        "domain": ({"Fn::Sub": "https://${SearchDomain.DomainEndpoint}"}, "es"),
        "serverless": ({"Fn::GetAtt": ["SearchCollection", "CollectionEndpoint"]}, "aoss"),
        "existing": ({"Ref": "OpenSearchEndpoint"}, overrides.get("OpenSearchService")),
    }[_engine(name)]
    assert (env["OPENSEARCH_URL"], env["OPENSEARCH_SERVICE"], env["OPENSEARCH_AUTH"]) == (url, service, "sigv4")
    assert env["INDEX_REPLICAS"] == {"Ref": "IndexReplicas"}
    outputs = rendered["Outputs"]
    assert outputs["EngineEndpoint"]["Value"] == url
    assert outputs["EngineService"]["Value"] == service
    assert CLI_OUTPUTS | {"AlarmTopicArn", "EngineResourceArn"} <= set(outputs)


def test_the_default_needs_nothing_but_defaults(template: dict[str, Any]) -> None:
    """`sam deploy --guided` with every default: a domain, no parameter left to fill in."""
    params = template["Parameters"]
    assert params["Engine"]["Default"] == "domain"
    assert all("Default" in spec for spec in params.values()), "a parameter without a default"
    rendered = cfn.render(template)
    assert rendered["Resources"]["SearchDomain"]["Properties"]["ClusterConfig"]["ZoneAwarenessEnabled"] is True
    assert int(params["IndexReplicas"]["Default"]) >= 1


# --------------------------------------------------------------------------- grants


def test_no_engine_grant_on_a_wildcard_resource(choice: tuple[str, dict[str, Any]]) -> None:
    """No es/aoss statement of a function role (or the domain's policy for them) reaches the whole engine."""
    _, rendered = choice
    statements = _role_statements(rendered, "IngestFunctionRole") + _role_statements(rendered, "SearchFunctionRole")
    domain = rendered["Resources"].get("SearchDomain")
    if domain:
        statements += [
            s for s in _statements(domain["Properties"]["AccessPolicies"]) if s.get("Sid") != "OperatorAdmin"
        ]
    for s in statements:
        if not any(a.startswith(("es:", "aoss:")) for a in actions_of(s)):
            continue
        for resource in as_list(s["Resource"]):
            text = resource if isinstance(resource, str) else json.dumps(resource)
            assert text != "*", s.get("Sid")
            assert not re.search(r"(-search|\{OpenSearchResourceArn\})/\*", text), (s.get("Sid"), text)  # domain/*


def test_domain_policy_grants_each_role_exactly_its_calls(template: dict[str, Any]) -> None:
    rendered = cfn.render(template, **cfn.CHOICES["domain"])
    policy = _statements(rendered["Resources"]["SearchDomain"]["Properties"]["AccessPolicies"])

    def of(role: str) -> list[dict[str, Any]]:
        return [s for s in policy if s["Principal"] == {"AWS": {"Fn::GetAtt": [role, "Arn"]}}]

    assert _engine_grants(of("IngestFunctionRole"), DOMAIN) == INGEST_CALLS
    assert _engine_grants(of("SearchFunctionRole"), DOMAIN) == SEARCH_CALLS
    assert len(of("IngestFunctionRole")) + len(of("SearchFunctionRole")) == len(policy)  # no admin by default
    # The roles need no identity grant of their own on a created domain: same account, resource policy.
    for role in ("IngestFunctionRole", "SearchFunctionRole"):
        assert not [s for s in _role_statements(rendered, role) if any(a.startswith("es:") for a in actions_of(s))]


def test_operator_gets_the_domain_only_when_named(template: dict[str, Any]) -> None:
    rendered = cfn.render(template, **cfn.CHOICES["domain-options"])
    policy = _statements(rendered["Resources"]["SearchDomain"]["Properties"]["AccessPolicies"])
    admin = [s for s in policy if s.get("Sid") == "OperatorAdmin"]
    assert len(admin) == 1 and admin[0]["Principal"] == {"AWS": {"Ref": "EngineAdminArn"}}


def test_existing_domain_roles_get_exactly_their_calls(template: dict[str, Any]) -> None:
    rendered = cfn.render(template, **cfn.CHOICES["existing-es"])
    prefix = "${OpenSearchResourceArn}"
    assert _engine_grants(_role_statements(rendered, "IngestFunctionRole"), prefix) == INGEST_CALLS
    assert _engine_grants(_role_statements(rendered, "SearchFunctionRole"), prefix) == SEARCH_CALLS


@pytest.mark.parametrize("name", ["serverless", "existing-aoss"])
def test_serverless_roles_get_api_access_to_the_collection_only(template: dict[str, Any], name: str) -> None:
    rendered = cfn.render(template, **cfn.CHOICES[name])
    collection = (
        {"Fn::GetAtt": ["SearchCollection", "Arn"]} if name == "serverless" else {"Ref": "OpenSearchResourceArn"}
    )
    for role in ("IngestFunctionRole", "SearchFunctionRole"):
        engine = [
            s for s in _role_statements(rendered, role) if any(a.startswith(("es:", "aoss:")) for a in actions_of(s))
        ]
        assert [(actions_of(s), s["Resource"]) for s in engine] == [(["aoss:APIAccessAll"], collection)]


def test_collection_data_access_policy_is_least_privilege(template: dict[str, Any]) -> None:
    rules = _data_access_rules(cfn.render(template, **cfn.CHOICES["serverless"]))
    by_who = {entry["Description"]: entry for entry in rules}
    assert set(by_who) == {"ingest", "search"}
    assert by_who["ingest"]["Principal"] == ["<IngestFunctionRole.Arn>"]
    assert by_who["search"]["Principal"] == ["<SearchFunctionRole.Arn>"]
    indices = ["index/<Collection>/<IndexAlias>", "index/<Collection>/<IndexAlias>-v*"]

    def permissions(who: str, kind: str) -> tuple[list[str], set[str]]:
        (rule,) = [r for r in by_who[who]["Rules"] if r["ResourceType"] == kind]
        return rule["Resource"], set(rule["Permission"])

    assert permissions("ingest", "index") == (
        indices,
        {"aoss:CreateIndex", "aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument"},
    )
    assert permissions("ingest", "collection") == (
        ["collection/<Collection>"],
        {"aoss:DescribeCollectionItems", "aoss:CreateCollectionItems"},
    )
    assert permissions("search", "index") == (indices, {"aoss:ReadDocument"})
    assert [r["ResourceType"] for r in by_who["search"]["Rules"]] == ["index"]

    with_operator = _data_access_rules(cfn.render(template, **cfn.CHOICES["serverless-options"]))
    assert [entry["Description"] for entry in with_operator] == ["ingest", "search", "operator"]
    assert with_operator[2]["Principal"] == ["<EngineAdminArn>"]


# --------------------------------------------------------------------------- the engines themselves


def test_domain_is_encrypted_https_only_and_spread_over_two_zones(template: dict[str, Any]) -> None:
    props = cfn.render(template, **cfn.CHOICES["domain"])["Resources"]["SearchDomain"]["Properties"]
    assert props["EncryptionAtRestOptions"] == {"Enabled": True}
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert props["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith("Policy-Min-TLS-1-2")
    assert props["ClusterConfig"]["ZoneAwarenessConfig"] == {"AvailabilityZoneCount": 2}
    assert props["EBSOptions"]["VolumeType"] == "gp3"
    assert "VPCOptions" not in props

    one_node = cfn.render(template, **cfn.CHOICES["domain-one-node-vpc"])["Resources"]["SearchDomain"]["Properties"]
    assert one_node["ClusterConfig"]["ZoneAwarenessEnabled"] is False
    assert "ZoneAwarenessConfig" not in one_node["ClusterConfig"]
    assert one_node["VPCOptions"]["SubnetIds"] == [{"Fn::Select": [0, {"Ref": "VpcSubnetIds"}]}]
    two_nodes = cfn.render(template, **cfn.CHOICES["domain-options"])["Resources"]["SearchDomain"]["Properties"]
    assert len(two_nodes["VPCOptions"]["SubnetIds"]) == 2


def test_collection_is_a_search_collection_behind_its_policies(template: dict[str, Any]) -> None:
    resources = cfn.render(template, **cfn.CHOICES["serverless"])["Resources"]
    collection = resources["SearchCollection"]
    assert collection["Properties"]["Type"] == "SEARCH"
    assert set(collection["DependsOn"]) == {"CollectionEncryptionPolicy", "CollectionNetworkPolicy"}
    policies = {
        resources[name]["Properties"]["Type"]: json.loads(
            resources[name]["Properties"]["Policy"]["Fn::Sub"]
            .replace("${AWS::StackName}", "stack")
            .replace("${EngineGeneration}", "")
        )
        for name in ("CollectionEncryptionPolicy", "CollectionNetworkPolicy")
    }
    assert policies["encryption"]["AWSOwnedKey"] is True
    assert policies["encryption"]["Rules"] == [
        {"ResourceType": "collection", "Resource": ["collection/stack-articles"]}
    ]
    assert [rule["ResourceType"] for rule in policies["network"][0]["Rules"]] == ["collection"]  # no dashboards


def test_replicas_rule_keeps_at_least_one_on_a_domain(template: dict[str, Any]) -> None:
    rule = template["Rules"]["DomainKeepsReplicas"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Engine"}, "domain"]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "IndexReplicas"}, "0"]}]}


def test_vpc_placement_is_optional_and_for_both_functions(template: dict[str, Any]) -> None:
    assert "VpcConfig" not in cfn.render(template)["Globals"]["Function"]
    vpc = cfn.render(template, **cfn.CHOICES["domain-options"])["Globals"]["Function"]["VpcConfig"]
    assert vpc == {"SubnetIds": {"Ref": "VpcSubnetIds"}, "SecurityGroupIds": {"Ref": "VpcSecurityGroupIds"}}
    for fn in ("IngestFunction", "SearchFunction"):
        assert "VpcConfig" not in template["Resources"][fn]["Properties"], "set in Globals for both"


# --------------------------------------------------------------------------- alarms and outputs


def test_alarms_watch_the_dead_letters_ingest_and_search(choice: tuple[str, dict[str, Any]]) -> None:
    name, rendered = choice
    resources = rendered["Resources"]
    for alarm, (namespace, metric, dimension) in ALARMS.items():
        props = resources[alarm]["Properties"]
        assert (props["Namespace"], props["MetricName"]) == (namespace, metric), alarm
        assert dimension in [d["Value"] for d in props["Dimensions"]], alarm
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm
        assert props["TreatMissingData"] == "notBreaching", alarm
    subscribed = "AlarmEmailSubscription" in resources
    assert subscribed == bool(cfn.CHOICES[name].get("AlarmEmail"))
    domain_alarms = {"DomainRedAlarm", "DomainWritesBlockedAlarm"} & set(resources)
    assert domain_alarms == ({"DomainRedAlarm", "DomainWritesBlockedAlarm"} if _engine(name) == "domain" else set())
    for alarm in domain_alarms:
        assert {"Name": "DomainName", "Value": {"Ref": "SearchDomain"}} in resources[alarm]["Properties"]["Dimensions"]


def test_cli_stack_option_reads_every_output_it_needs(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = cfn.render(template)["Outputs"]
    assert set(outputs) >= CLI_OUTPUTS
    values = {
        "ApiUrl": "https://api.example/",
        "BucketName": "news-articles",
        "QueueUrl": "https://sqs/q",
        "DLQUrl": "https://sqs/dlq",
        "EngineEndpoint": "https://abc.ap-southeast-3.aoss.amazonaws.com",
        "EngineService": "aoss",
        "IndexAlias": "berita",
        "IndexReplicas": "2",
    }

    class FakeCloudFormation:
        def describe_stacks(self, StackName: str) -> dict[str, Any]:
            return {"Stacks": [{"Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in values.items()]}]}

    class FakeSession:
        region_name = "ap-southeast-3"

        def __init__(self, **_: Any) -> None:
            pass

        def client(self, *_: Any, **__: Any) -> FakeCloudFormation:
            return FakeCloudFormation()

    monkeypatch.setattr("boto3.Session", FakeSession)
    args = types.SimpleNamespace(profile=None, region=None, stack="news")
    found = cli_target._aws(args)  # type: ignore[arg-type]
    assert (found.api_url, found.bucket, found.queue_url, found.dlq_url) == (
        "https://api.example/",
        "news-articles",
        "https://sqs/q",
        "https://sqs/dlq",
    )
    assert (found.opensearch_url, found.opensearch_service, found.index_alias, found.index_replicas) == (
        "https://abc.ap-southeast-3.aoss.amazonaws.com",
        "aoss",
        "berita",
        2,
    )
    assert found.signs_opensearch


def test_make_template_scans_every_engine_choice() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntemplate:", 1)[1].split("\n\n", 1)[0]
    assert "docsearch_local.cfn --choices" in recipe
    loop = recipe.split("for choice in", 1)[1]
    for tool in ("sam validate --lint", "cfn-lint", "checkov -f $$choice"):
        assert tool in loop, tool


def test_a_rendered_choice_keeps_no_template_wide_lint_suppression(template: dict[str, Any]) -> None:
    """The template-wide ignores exist for the empty defaults; a rendered choice is linted without them."""
    assert "cfn-lint" in template["Metadata"]
    for overrides in cfn.CHOICES.values():
        assert "cfn-lint" not in cfn.render(template, **overrides).get("Metadata", {})
