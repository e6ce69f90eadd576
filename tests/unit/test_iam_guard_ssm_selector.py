"""The local IAM guard authorises a parameter read with a version selector as IAM does: as the parameter itself."""

from __future__ import annotations

from credscore_local.iam_guard import PolicyGuard, requests_for

PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/credscore/dev/scoring-config"


def test_a_version_selector_is_authorised_as_the_parameter() -> None:
    guard = PolicyGuard([{"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": PARAM}])
    for name in ("/credscore/dev/scoring-config", "/credscore/dev/scoring-config:7"):
        (request,) = requests_for("ssm", "GetParameter", {"Name": name}, "us-east-1", "123456789012")
        assert request.resource == PARAM
        assert guard.allows(request)
    (other,) = requests_for(
        "ssm", "GetParameter", {"Name": "/credscore/dev/x-bearer-token:1"}, "us-east-1", "1"
    )
    assert not guard.allows(other)
