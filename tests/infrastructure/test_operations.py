"""What an operator relies on after `sam deploy` (issue 22): upgrades in place, a replacement path,
Rules for what AWS would refuse late, a bucket that survives a redeploy, alarms, domain logs, the
dashboard and the index created during the deploy. Static, on template.yaml rendered per choice.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from docsearch_local import cfn

DOMAIN_ALARMS = {  # alarm: (metric, statistic, comparison, threshold, period s, periods)
    "DomainYellowAlarm": ("ClusterStatus.yellow", "Maximum", "GreaterThanOrEqualToThreshold", 1, 300, 3),
    "DomainJvmPressureAlarm": ("JVMMemoryPressure", "Maximum", "GreaterThanOrEqualToThreshold", 85, 300, 3),
    "DomainCpuAlarm": ("CPUUtilization", "Average", "GreaterThanOrEqualToThreshold", 80, 900, 3),
    "DomainCpuCreditsAlarm": ("CPUCreditBalance", "Minimum", "LessThanThreshold", 50, 300, 1),
    "DomainSnapshotFailureAlarm": ("AutomatedSnapshotFailure", "Maximum", "GreaterThanOrEqualToThreshold", 1, 3600, 1),
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn.load_template()


def rendered(template: dict[str, Any], **overrides: str) -> dict[str, Any]:
    return cfn.render(template, **overrides)["Resources"]


def holds(template: dict[str, Any], rule: str, **overrides: str) -> bool:
    """Whether rule ``rule`` lets these parameter values through (its condition false, or every assertion true)."""
    body = template["Rules"][rule]
    params = cfn.param_values(template, **overrides)
    if "RuleCondition" in body and not cfn.eval_condition(body["RuleCondition"], template, params):
        return True
    return all(cfn.eval_condition(a["Assert"], template, params) for a in body["Assertions"])


# --------------------------------------------------------------------------- upgrades and replacement


def test_a_new_engine_version_upgrades_the_domain_in_place(template: dict[str, Any]) -> None:
    domain = template["Resources"]["SearchDomain"]
    assert domain["UpdatePolicy"] == {"EnableVersionUpgrade": True}
    assert domain["Properties"]["EngineVersion"] == {"Ref": "DomainEngineVersion"}


def test_a_new_engine_generation_names_a_new_domain_and_collection_everywhere(template: dict[str, Any]) -> None:
    """The replacement path: a fixed name cannot be replaced, a new generation is a new name, and every
    reference (the access policy's ARNs, the log policy, the collection's policies) follows it."""
    first = json.dumps(rendered(template))
    second = json.dumps(rendered(template, EngineGeneration="2"))
    domain = rendered(template, EngineGeneration="2")["SearchDomain"]["Properties"]
    assert domain["DomainName"] == {"Fn::Sub": "${AWS::StackName}-search${EngineGeneration}"}
    mentions = re.findall(r"domain/\$\{AWS::StackName\}-search([^/\"\\]*)", second)
    assert mentions and set(mentions) == {"${EngineGeneration}"}, set(mentions)
    assert first.count("${EngineGeneration}") == second.count("${EngineGeneration}")
    serverless = json.dumps(rendered(template, Engine="serverless"))
    collections = re.findall(r"(?:collection|index)/\$\{AWS::StackName\}-articles([^/\"\\]*)", serverless)
    assert collections and set(collections) == {"${EngineGeneration}"}
    collection = rendered(template, Engine="serverless")["SearchCollection"]["Properties"]
    assert collection["Name"] == {"Fn::Sub": "${AWS::StackName}-articles${EngineGeneration}"}
    # 20-character stack name + "-search" + one digit: AWS's 28-character domain name limit.
    assert template["Parameters"]["EngineGeneration"]["AllowedPattern"] == "^[2-9]?$"
    assert 20 + len("-search") + 1 <= 28


def test_the_index_follows_a_new_engine_to_its_new_endpoint(template: dict[str, Any]) -> None:
    """A new generation changes IndexSetup's Endpoint: CloudFormation sends an Update, the index is created there."""
    for engine, endpoint in (
        ("domain", {"Fn::Sub": "https://${SearchDomain.DomainEndpoint}"}),
        ("serverless", {"Fn::GetAtt": ["SearchCollection", "CollectionEndpoint"]}),
    ):
        props = rendered(template, Engine=engine)["IndexSetup"]["Properties"]
        assert props["Endpoint"] == endpoint


# --------------------------------------------------------------------------- Rules


@pytest.mark.parametrize("count", range(1, 11))
def test_odd_node_counts_over_two_zones_are_refused_before_anything_is_created(
    template: dict[str, Any], count: int
) -> None:
    spec = template["Parameters"]["DomainInstanceCount"]
    assert (spec["MinValue"], spec["MaxValue"]) == (1, 10)  # the values the rule lists cover the whole range
    zone_aware = count != 1
    allowed = not (zone_aware and count % 2)
    assert holds(template, "DomainNodesEvenAcrossZones", DomainInstanceCount=str(count)) is allowed
    # A Serverless or existing engine has no nodes: the count is not checked there.
    assert holds(template, "DomainNodesEvenAcrossZones", Engine="serverless", DomainInstanceCount=str(count))


@pytest.mark.parametrize(
    ("instance_type", "accepted"),
    [
        ("t3.small.search", True),
        ("t3.medium.search", True),
        ("m7g.large.search", True),
        ("r7g.xlarge.search", True),
        ("or2.medium.search", True),
        ("t2.small.search", False),  # AWS refuses encryption at rest on T2, only when it creates the domain
        ("t2.micro.search", False),
        ("m7g.large", False),
    ],
)
def test_instance_types_aws_would_refuse_are_refused_by_the_parameter(
    template: dict[str, Any], instance_type: str, accepted: bool
) -> None:
    pattern = template["Parameters"]["DomainInstanceType"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, instance_type)) is accepted
    assert template["Resources"]["SearchDomain"]["Properties"]["EncryptionAtRestOptions"] == {"Enabled": True}


def test_only_the_tested_engine_version_is_selectable(template: dict[str, Any]) -> None:
    spec = template["Parameters"]["DomainEngineVersion"]
    assert spec["AllowedValues"] == [spec["Default"]]


# --------------------------------------------------------------------------- redeploys


def test_the_retained_bucket_gets_a_name_a_redeploy_cannot_collide_with(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["ArticlesBucket"]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    name, variables = bucket["Properties"]["BucketName"]["Fn::Sub"]
    suffix = {
        "Fn::Select": [0, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]}]
    }
    assert variables == {"StackSuffix": suffix}
    assert name.endswith("-${StackSuffix}") and "${AWS::StackName}" in name

    def bucket_of(stack_id: str) -> str:
        params = {"AWS::StackId": stack_id}
        unique = cfn.eval_condition(suffix, template, params)
        return (
            name.replace("${AWS::StackName}", "docsearch")
            .replace("${AWS::Region}", "ap-southeast-3")
            .replace("${StackSuffix}", unique)
        )

    before = bucket_of("arn:aws:cloudformation:ap-southeast-3:123456789012:stack/docsearch/3f1c2a9e-1111-2222")
    after = bucket_of("arn:aws:cloudformation:ap-southeast-3:123456789012:stack/docsearch/7b0d4e21-3333-4444")
    assert (before, after) == (
        "docsearch-articles-ap-southeast-3-3f1c2a9e",
        "docsearch-articles-ap-southeast-3-7b0d4e21",
    )
    longest = (
        len(name.replace("${AWS::StackName}", "x" * 20).replace("${AWS::Region}", "ap-southeast-3"))
        - len("${StackSuffix}")
        + 8
    )
    assert longest <= 63


# --------------------------------------------------------------------------- alarms


@pytest.mark.parametrize("alarm", sorted(DOMAIN_ALARMS))
def test_domain_alarm(template: dict[str, Any], alarm: str) -> None:
    metric, stat, comparison, threshold, period, periods = DOMAIN_ALARMS[alarm]
    props = rendered(template)[alarm]["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("AWS/ES", metric, stat)
    assert (props["ComparisonOperator"], props["Threshold"]) == (comparison, threshold)
    assert (props["Period"], props["EvaluationPeriods"]) == (period, periods)
    assert {"Name": "DomainName", "Value": {"Ref": "SearchDomain"}} in props["Dimensions"]
    assert {"Name": "ClientId", "Value": {"Ref": "AWS::AccountId"}} in props["Dimensions"]
    assert props["AlarmActions"] == props["OKActions"] == [{"Ref": "AlarmTopic"}]
    for engine in ("serverless", "existing"):
        overrides = {"Engine": engine}
        if engine == "existing":
            overrides |= cfn.CHOICES["existing-es"]
        assert alarm not in rendered(template, **overrides)


def test_yellow_alarm_only_where_a_replica_can_be_placed(template: dict[str, Any]) -> None:
    assert "DomainYellowAlarm" not in rendered(template, DomainInstanceCount="1")  # yellow by design on one node
    assert "DomainYellowAlarm" in rendered(template, DomainInstanceCount="2")


def test_cpu_credit_alarm_only_on_burstable_nodes(template: dict[str, Any]) -> None:
    assert "DomainCpuCreditsAlarm" in rendered(template, DomainInstanceType="t3.medium.search")
    assert "DomainCpuCreditsAlarm" not in rendered(template, DomainInstanceType="m7g.large.search")


def test_free_storage_alarm_is_a_share_of_the_volume(template: dict[str, Any]) -> None:
    props = rendered(template)["DomainFreeStorageAlarm"]["Properties"]
    free, percent = props["Metrics"]
    assert free["MetricStat"]["Metric"]["MetricName"] == "FreeStorageSpace"
    assert free["MetricStat"]["Stat"] == "Minimum"  # the fullest node
    assert free["ReturnData"] is False and percent["ReturnData"] is True
    assert percent["Expression"] == {"Fn::Sub": "100 * free / (${DomainVolumeGiB} * 1024)"}  # MiB of GiB
    assert (props["ComparisonOperator"], props["Threshold"]) == ("LessThanOrEqualToThreshold", 25)
    # 25% of the default 10 GiB is 2,560 MiB: the alarm fires well before the 95% write block (512 MiB).
    volume_mib = int(template["Parameters"]["DomainVolumeGiB"]["Default"]) * 1024
    assert volume_mib * props["Threshold"] / 100 > volume_mib * 0.05


@pytest.mark.parametrize("engine", ["domain", "serverless", "existing-es"])
def test_ingest_backlog_age_alarm_on_every_engine(template: dict[str, Any], engine: str) -> None:
    props = rendered(template, **cfn.CHOICES[engine])["IngestBacklogAgeAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert props["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["IngestQueue", "QueueName"]}}]
    visibility = template["Resources"]["IngestQueue"]["Properties"]["VisibilityTimeout"]
    assert 2 * visibility < props["Threshold"] < 3 * visibility  # two ordinary retries never fire it


# --------------------------------------------------------------------------- domain logs


def test_domain_publishes_slow_and_error_logs_into_its_own_groups(template: dict[str, Any]) -> None:
    resources = rendered(template)
    options = resources["SearchDomain"]["Properties"]["LogPublishingOptions"]
    groups = {
        "INDEX_SLOW_LOGS": "DomainIndexSlowLogGroup",
        "SEARCH_SLOW_LOGS": "DomainSearchSlowLogGroup",
        "ES_APPLICATION_LOGS": "DomainErrorLogGroup",
    }
    assert options == {
        kind: {"Enabled": True, "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [group, "Arn"]}}
        for kind, group in groups.items()
    }
    for group in groups.values():
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert resources["SearchDomain"]["DependsOn"] == "DomainLogsResourcePolicy"


def test_log_resource_policy_lets_only_this_domain_write_only_those_groups(template: dict[str, Any]) -> None:
    text = rendered(template)["DomainLogsResourcePolicy"]["Properties"]["PolicyDocument"]["Fn::Sub"]
    policy = json.loads(re.sub(r"\$\{([A-Za-z:.]+)\}", lambda m: f"<{m.group(1)}>", text))
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "es.amazonaws.com"}
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == [
        "<DomainIndexSlowLogGroup.Arn>",
        "<DomainSearchSlowLogGroup.Arn>",
        "<DomainErrorLogGroup.Arn>",
    ]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "<AWS::AccountId>"}
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"].endswith(
        ":domain/<AWS::StackName>-search<EngineGeneration>"
    )


def test_no_domain_log_resources_without_a_domain(template: dict[str, Any]) -> None:
    for engine in ("serverless", "existing-aoss"):
        names = set(rendered(template, **cfn.CHOICES[engine]))
        assert not {n for n in names if n.startswith("DomainLogs") or (n.endswith("LogGroup") and "Domain" in n)}


# --------------------------------------------------------------------------- dashboard


def _dashboard(template: dict[str, Any], choice: str) -> dict[str, Any]:
    body, variables = rendered(template, **cfn.CHOICES[choice])["OperationsDashboard"]["Properties"]["DashboardBody"][
        "Fn::Sub"
    ]
    engine = variables["EngineWidgets"]
    body = body.replace("${EngineWidgets}", engine["Fn::Sub"] if isinstance(engine, dict) else engine)
    return dict(json.loads(re.sub(r"\$\{([A-Za-z:.]+)\}", lambda m: f"<{m.group(1)}>", body)))


@pytest.mark.parametrize("choice", sorted(cfn.CHOICES))
def test_dashboard_shows_ingest_skips_errors_dead_letters_latency_and_engine(
    template: dict[str, Any], choice: str
) -> None:
    widgets = {w["properties"]["title"]: w["properties"] for w in _dashboard(template, choice)["widgets"]}
    flat = {title: json.dumps(props) for title, props in widgets.items()}
    ingest = next(t for t in flat if t.startswith("Ingest"))
    assert '"docsearch", "DocumentsIndexed", "service", "docsearch-ingest"' in flat[ingest]
    skips = next(t for t in flat if t.startswith("Skipped"))
    assert "SEARCH(" in flat[skips] and "Skipped" in flat[skips]  # one line per Skipped_<reason> metric
    errors = flat["Errors"]
    assert '"AWS/Lambda", "Errors", "FunctionName", "<IngestFunction>"' in errors and '"5xx"' in errors
    queues = next(t for t in flat if t.startswith("Queues"))
    assert "<DeadLetterQueue.QueueName>" in flat[queues] and "ApproximateAgeOfOldestMessage" in flat[queues]
    latency = widgets[next(t for t in widgets if t.startswith("Search latency"))]
    assert [m[-1].get("stat") for m in latency["metrics"][:2]] == ["p50", "p99"]
    engine_titles = {t for t in widgets if t.startswith("Engine")}
    expected = {
        "domain": {"Engine health (domain)", "Engine storage (MiB free, fullest node)"},
        "serverless": {"Engine (Serverless OCUs)"},
        "existing": set(),
    }[choice.split("-")[0]]
    assert engine_titles == expected
    if expected and choice.startswith("domain"):
        assert "ClusterStatus.yellow" in flat["Engine health (domain)"]


# --------------------------------------------------------------------------- the index, created by the deploy


@pytest.mark.parametrize("choice", ["domain", "serverless"])
def test_the_deploy_creates_the_index_as_the_ingest_role(template: dict[str, Any], choice: str) -> None:
    resources = rendered(template, **cfn.CHOICES[choice])
    setup = resources["IndexSetup"]
    assert setup["Type"] == "Custom::ArticlesIndex"
    assert setup["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["IndexSetupFunction", "Arn"]}
    assert setup["Properties"]["IndexAlias"] == {"Ref": "IndexAlias"}
    assert setup["Properties"]["IndexReplicas"] == {"Ref": "IndexReplicas"}
    function = resources["IndexSetupFunction"]["Properties"]
    assert (function["CodeUri"], function["Handler"]) == ("functions/index_setup/", "app.lambda_handler")
    assert function["Role"] == {"Fn::GetAtt": ["IngestFunctionRole", "Arn"]}  # a refused grant fails the deploy
    assert setup["Properties"]["ServiceTimeout"] > function["Timeout"]
    logs = resources["IngestFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert logs["Resource"] == [
        {"Fn::GetAtt": ["IngestLogGroup", "Arn"]},
        {"Fn::GetAtt": ["IndexSetupLogGroup", "Arn"]},
    ]
    if choice == "serverless":  # created through the data access policy: after it
        assert setup["Properties"]["AccessPolicy"] == {"Ref": "CollectionAccessPolicy"}


@pytest.mark.parametrize("choice", ["existing-es", "existing-aoss"])
def test_no_index_setup_on_an_existing_engine(template: dict[str, Any], choice: str) -> None:
    """Its access policy can name the ingest role only once the stack created it: the first batch creates the index."""
    resources = rendered(template, **cfn.CHOICES[choice])
    assert not {"IndexSetup", "IndexSetupFunction", "IndexSetupLogGroup"} & set(resources)
    logs = resources["IngestFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert logs["Resource"] == {"Fn::GetAtt": ["IngestLogGroup", "Arn"]}


def test_serverless_region_rule_lists_botocores_regions(template: dict[str, Any]) -> None:
    """The list is derived, not typed: botocore's endpoint data for aoss (regenerate it with
    `python -m docsearch_local.cfn --serverless-regions` when this fails after a botocore upgrade)."""
    regions, _ = template["Rules"]["ServerlessRegion"]["Assertions"][0]["Assert"]["Fn::Contains"]
    assert regions == cfn.serverless_regions()
    assert "ap-southeast-3" not in regions and "ap-southeast-1" in regions
    params = cfn.param_values(template, Engine="serverless")
    rule = template["Rules"]["ServerlessRegion"]["Assertions"][0]["Assert"]
    assert not cfn.eval_condition(rule, template, {**params, "AWS::Region": "ap-southeast-3"})
    assert cfn.eval_condition(rule, template, {**params, "AWS::Region": "ap-southeast-1"})


def test_samconfig_has_one_environment_per_region() -> None:
    """A guided deploy to one region saves into its own section and never overwrites the other's."""
    import tomllib

    config = tomllib.loads((cfn.ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    environments = {name: env for name, env in config.items() if isinstance(env, dict) and "deploy" in env}
    regions = {name: env["global"]["parameters"]["region"] for name, env in environments.items()}
    assert regions == {"jakarta": "ap-southeast-3", "singapore": "ap-southeast-1"}
    assert "deploy" not in config["default"]  # `sam deploy` without --config-env saves nowhere shared
    for env in environments.values():
        assert env["deploy"]["parameters"]["capabilities"] == "CAPABILITY_IAM"
