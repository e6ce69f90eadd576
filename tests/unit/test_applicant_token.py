"""The applicant's link: a token checked again on every request against the stored hash and the application's
expiry (`credscore_aws.logic.applicant_token.load`), refused with a code the applicant's page explains."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest

from credscore.application import new_application_id
from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.logic import applicant_token
from credscore_aws.logic.applicant_token import LinkRefused, application_of, hash_token, load, new_token
from credscore_aws.models.records import NewApplication
from tests.fake_aws import fake_aws
from tests.moto_tables import create_applications_table


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    with fake_aws(monkeypatch):
        repository = ApplicationRepository(create_applications_table())
        monkeypatch.setattr(applicant_token, "repository", lambda: repository)
        yield repository


def _application(repo: ApplicationRepository, expires_at: int | None) -> tuple[str, str]:
    """(application id, its applicant token)."""
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {"application_id": application_id, "partner_id": "p1", "declared": {}, "expires_at": expires_at}
        )
    )
    token = new_token(application_id)
    repo.set_applicant_token(application_id, hash_token(token))
    return application_id, token


def _refusal(application_id: str, token: str, now: float | None = None) -> str:
    with pytest.raises(LinkRefused) as refused:
        load(application_id, hash_token(token), now)
    assert str(refused.value) == refused.value.code
    return refused.value.code


def test_a_valid_link_loads_its_application_at_the_current_time(repo: ApplicationRepository) -> None:
    application_id, token = _application(repo, expires_at=int(time.time()) + 3600)
    assert load(application_id, hash_token(token)).application_id == application_id


def test_a_link_is_valid_up_to_and_including_its_expiry_second(repo: ApplicationRepository) -> None:
    expiry = int(time.time()) + 3600
    application_id, token = _application(repo, expires_at=expiry)
    assert load(application_id, hash_token(token), now=expiry).application_id == application_id
    assert _refusal(application_id, token, now=expiry + 1) == "link_expired"


def test_an_application_without_an_expiry_keeps_its_link(repo: ApplicationRepository) -> None:
    application_id, token = _application(repo, expires_at=None)
    assert load(application_id, hash_token(token), now=4_000_000_000).application_id == application_id


def test_an_unknown_or_erased_application_reads_as_expired(repo: ApplicationRepository) -> None:
    # Not "not found": the page says the link has expired, without telling a guesser what exists.
    assert _refusal(new_application_id(), "whatever") == "link_expired"


def test_another_token_or_a_revoked_one_is_refused_as_revoked(repo: ApplicationRepository) -> None:
    application_id, token = _application(repo, expires_at=int(time.time()) + 3600)
    assert _refusal(application_id, new_token(application_id)) == "link_revoked"
    repo.revoke_applicant_token(application_id)
    assert _refusal(application_id, token) == "link_revoked"
    with pytest.raises(LinkRefused):  # nothing stored matches nothing, not even an empty hash
        load(application_id, "")


def test_a_token_names_its_application_and_is_stored_only_as_its_sha256() -> None:
    application_id = new_application_id()
    token = new_token(application_id)
    assert application_of(token) == application_id
    assert len(token) == len(application_id) + 1 + 43  # 256 random bits, url-safe base64
    assert new_token(application_id) != token
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert application_of(token + "x") is None
    assert application_of("." + token.split(".")[1]) is None
