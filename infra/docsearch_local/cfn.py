"""template.yaml read as data, and rendered for one set of parameter values.

The scanners see a template with every ``Fn::If`` branch at once (checkov does not evaluate
conditions). ``render`` keeps what one choice of parameters deploys, so `make template` can
lint and scan each engine choice as its own template: the resources whose ``Condition`` is
false are dropped, each ``Fn::If`` is replaced by its chosen branch, ``AWS::NoValue`` is
removed, and the chosen values become the parameters' defaults. The template-wide cfn-lint
suppressions are dropped: they exist for the empty defaults, which a rendered choice replaces.

    python -m docsearch_local.cfn Engine=serverless > /tmp/serverless.yaml
    python -m docsearch_local.cfn --choices OUT_DIR    # one file per entry of CHOICES, named by it
    python -m docsearch_local.cfn --serverless-regions # rule ServerlessRegion's list, from botocore's data
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
NO_VALUE = {"Ref": "AWS::NoValue"}

_OPTIONS_ON = {  # every optional part switched on, with well-formed made-up values
    "AlarmEmail": "ops@example.com",
    "EngineAdminArn": "arn:aws:iam::123456789012:role/search-operator",
    "VpcSubnetIds": "subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002",
    "VpcSecurityGroupIds": "sg-0a1b2c3d4e5f60003",
    "EmbeddingModel": "bedrock",  # the roles' one InvokeModel statement
}
# The engine choices `make template` lints and scans one by one (plus the template as written).
CHOICES: dict[str, dict[str, str]] = {
    "domain": {"Engine": "domain"},
    # non-burstable, four nodes: no CPU-credit alarm, two zones
    "domain-options": {
        "Engine": "domain",
        "DomainInstanceType": "m7g.large.search",
        "DomainInstanceCount": "4",
        **_OPTIONS_ON,
    },
    "domain-one-node-vpc": {"Engine": "domain", "DomainInstanceCount": "1", **_OPTIONS_ON},
    "serverless": {"Engine": "serverless"},
    "serverless-options": {"Engine": "serverless", "ServerlessStandbyReplicas": "DISABLED", **_OPTIONS_ON},
    "existing-es": {
        "Engine": "existing",
        "OpenSearchService": "es",
        "OpenSearchEndpoint": "https://search-news-abc123.ap-southeast-3.es.amazonaws.com",
        "OpenSearchResourceArn": "arn:aws:es:ap-southeast-3:123456789012:domain/news",
    },
    "existing-aoss": {
        "Engine": "existing",
        "OpenSearchService": "aoss",
        "OpenSearchEndpoint": "https://abc123def456.ap-southeast-3.aoss.amazonaws.com",
        "OpenSearchResourceArn": "arn:aws:aoss:ap-southeast-3:123456789012:collection/abc123def456",
    },
}


# Partitions whose regions rule ServerlessRegion lists (the China partition has no Serverless in botocore's data).
SERVERLESS_PARTITIONS = ("aws", "aws-us-gov")


def serverless_regions() -> list[str]:
    """The regions with an OpenSearch Serverless endpoint in botocore's endpoint data (the installed botocore)."""
    import boto3

    session = boto3.Session()
    return sorted(
        region
        for partition in SERVERLESS_PARTITIONS
        for region in session.get_available_regions("opensearchserverless", partition_name=partition)
    )


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (``!Ref``, ``!Sub``...) into their long form."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return dict(yaml.load(fh, Loader=CfnLoader))  # noqa: S506 (CfnLoader is a SafeLoader subclass)


def param_values(template: dict[str, Any], **overrides: str) -> dict[str, Any]:
    """Every parameter's default, then ``overrides`` (values as strings, as CloudFormation passes them)."""
    values: dict[str, Any] = {}
    for name, spec in template.get("Parameters", {}).items():
        if "Default" in spec:
            default = spec["Default"]
            values[name] = default.split(",") if spec["Type"] == "CommaDelimitedList" else str(default)
    for name, value in overrides.items():
        kind = template.get("Parameters", {}).get(name, {}).get("Type")
        values[name] = value.split(",") if kind == "CommaDelimitedList" else value
    return values


def eval_condition(expr: Any, template: dict[str, Any], params: dict[str, Any]) -> Any:
    """The value of a condition or rule expression (and of the Ref / Join / Select / Split inside it)."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, arg),) = expr.items()
        if key == "Fn::Equals":
            left, right = (eval_condition(a, template, params) for a in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not eval_condition(arg[0], template, params)
        if key == "Fn::And":
            return all(eval_condition(a, template, params) for a in arg)
        if key == "Fn::Or":
            return any(eval_condition(a, template, params) for a in arg)
        if key == "Condition":
            return eval_condition(template["Conditions"][arg], template, params)
        if key == "Fn::Join":
            separator, items = arg
            return separator.join(str(i) for i in eval_condition(items, template, params))
        if key == "Fn::Select":
            position, items = arg
            return eval_condition(items, template, params)[int(position)]
        if key == "Fn::Split":
            separator, text = arg
            return str(eval_condition(text, template, params)).split(separator)
        if key == "Fn::Contains":
            items, value = arg
            return str(eval_condition(value, template, params)) in [
                str(i) for i in eval_condition(items, template, params)
            ]
        if key == "Ref":
            return params[arg]
    return expr


def condition_holds(name: str, template: dict[str, Any], params: dict[str, Any]) -> bool:
    return bool(eval_condition({"Condition": name}, template, params))


def resolve(node: Any, template: dict[str, Any], params: dict[str, Any]) -> Any:
    """``node`` with each Fn::If replaced by its chosen branch and AWS::NoValue dropped."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            cond, if_true, if_false = node["Fn::If"]
            return resolve(if_true if condition_holds(cond, template, params) else if_false, template, params)
        out = {}
        for key, value in node.items():
            value = resolve(value, template, params)
            if value != NO_VALUE:
                out[key] = value
        return out
    if isinstance(node, list):
        items = [resolve(item, template, params) for item in node]
        return [item for item in items if item != NO_VALUE]
    return node


def render(template: dict[str, Any], **overrides: str) -> dict[str, Any]:
    """The template as deployed with these parameter values (see the module docstring)."""
    params = param_values(template, **overrides)
    out = {key: value for key, value in template.items() if key not in ("Conditions", "Resources", "Outputs")}
    metadata = {key: value for key, value in template.get("Metadata", {}).items() if key != "cfn-lint"}
    if metadata:
        out["Metadata"] = metadata
    else:
        out.pop("Metadata", None)
    out["Parameters"] = {name: dict(spec) for name, spec in template.get("Parameters", {}).items()}
    for name, value in overrides.items():
        out["Parameters"][name]["Default"] = value
    for section in ("Resources", "Outputs"):
        kept = {}
        for name, body in template.get(section, {}).items():
            condition = body.get("Condition")
            if condition and not condition_holds(condition, template, params):
                continue
            kept[name] = resolve({k: v for k, v in body.items() if k != "Condition"}, template, params)
        out[section] = kept
    out["Globals"] = resolve(template.get("Globals", {}), template, params)
    return out


def main(argv: list[str]) -> int:
    template = load_template()
    if argv[:1] == ["--choices"]:
        out = Path(argv[1])
        out.mkdir(parents=True, exist_ok=True)
        for name, overrides in CHOICES.items():
            with (out / f"{name}.yaml").open("w", encoding="utf-8") as fh:
                yaml.safe_dump(render(template, **overrides), fh, sort_keys=False, width=120)
            print(out / f"{name}.yaml")
        return 0
    if argv[:1] == ["--serverless-regions"]:
        print(f"[{', '.join(serverless_regions())}]")
        return 0
    overrides = dict(arg.split("=", 1) for arg in argv)
    yaml.safe_dump(render(template, **overrides), sys.stdout, sort_keys=False, width=120)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
