from __future__ import annotations

import pytest

from credscore_local.template import (
    Resolver,
    UnresolvableError,
    creation_order,
    function_specs,
    load_template,
    parameter_defaults,
)


def _resolver() -> Resolver:
    return Resolver(
        parameters={"Stage": "dev"},
        pseudo={"AWS::Region": "eu-west-1", "AWS::AccountId": "1"},
        refs={"Bucket": "b"},
        attributes={("Bucket", "Arn"): "arn:aws:s3:::b"},
    )


def test_intrinsics_resolve() -> None:
    r = _resolver()
    assert r.resolve({"Fn::Sub": "x-${Stage}-${AWS::Region}"}) == "x-dev-eu-west-1"
    assert r.resolve({"Fn::Sub": "${Bucket.Arn}/*"}) == "arn:aws:s3:::b/*"
    assert r.resolve({"Fn::Sub": ["${A}-${Stage}", {"A": {"Ref": "Bucket"}}]}) == "b-dev"
    assert r.resolve({"Fn::GetAtt": ["Bucket", "Arn"]}) == "arn:aws:s3:::b"
    assert r.resolve({"Fn::Join": ["/", ["a", {"Ref": "Stage"}]]}) == "a/dev"
    assert r.resolve({"Fn::Sub": "literal ${!NotResolved}"}) == "literal ${NotResolved}"


def test_unknown_references_are_errors_not_silent() -> None:
    with pytest.raises(UnresolvableError):
        _resolver().resolve({"Ref": "Nope"})
    with pytest.raises(UnresolvableError):
        _resolver().resolve({"Fn::If": ["c", 1, 2]})


def test_creation_order_puts_dependencies_first() -> None:
    order = creation_order(
        {
            "Fn": {"Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}, "B": {"Fn::Sub": "${Bucket}"}}},
            "Role": {"Properties": {}},
            "Bucket": {"Properties": {"Key": {"Ref": "Key"}}},
            "Key": {"Properties": {}},
        }
    )
    assert order.index("Key") < order.index("Bucket") < order.index("Fn")
    assert order.index("Role") < order.index("Fn")


def test_function_specs_merge_globals_like_sam() -> None:
    template = load_template()
    params = parameter_defaults(template)
    r = Resolver(
        parameters=params,
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "1", "AWS::Partition": "aws"},
        refs={
            "ApplicationsTable": "t",
            "DataBucket": "b",
            "ScoringConfigParameter": "/p",
            "ScoringStateMachine": "arn:sm",
            "IdempotencyTable": "i",
            "DataKey": "k",
            "WebhookQueue": "q",
            "WebhookDeadLetterQueue": "dlq",
        },
        # The API's applicant page address (the local stack reads it off its stand-in distribution).
        attributes={("WebDistribution", "DomainName"): "d.cloudfront.net"},
    )
    specs = function_specs(template, r)
    images = specs["AnalyzeImagesFunction"]
    assert images.layers == ["DomainLayer", "ImageModelLayer"]
    # Its own MemorySize (chosen by bench/memory) wins over the Globals one.
    own = template["Resources"]["AnalyzeImagesFunction"]["Properties"]["MemorySize"]
    assert images.memory_mb == own != template["Globals"]["Function"]["MemorySize"]
    assert images.environment["TABLE_NAME"] == "t"  # from Globals
    assert images.environment["ORT_THREADS"] == "1"  # its own
    assert specs["IngestFunction"].environment["X_BEARER_TOKEN_PARAM"] == "/credscore/dev/x-bearer-token"
    assert specs["ScoreFunction"].runtime == "python3.13"
