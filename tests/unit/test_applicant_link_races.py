"""Erasure racing the applicant link's writers (a new link, a revocation, the applicant's consent), against moto.

Each operation reads the application, then writes: the partner or the applicant erases in between. The erasure
wins: the operation answers as it would on the erased application (no link, no forms, no 500), and nothing of it
is left beside the tombstone (no token hash, no consent, no audit entry)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from credscore.application import new_application_id
from credscore_aws.dal.repository import TOMBSTONE_FIELDS, ApplicationRepository, app_pk
from credscore_aws.logic import applicant, applications
from credscore_aws.logic.applicant_token import LinkRefused, hash_token, load
from credscore_aws.models.api import ApplicantConsent
from credscore_aws.models.records import NewApplication
from tests.fake_aws import moto_store


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    with moto_store(
        monkeypatch,
        applications._presigning_s3,
        UPLOAD_WINDOW_HOURS="26",
        MAX_UPLOAD_BYTES="1000000",
        UPLOAD_URL_EXPIRY_SECONDS="900",
        APPLICANT_PAGE_URL="https://apply.example/",
    ) as repository:
        yield repository


def _collecting(repo: ApplicationRepository) -> tuple[str, str]:
    """(application id, its applicant token), as the partner's create leaves it."""
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": "p1",
                "declared": {"linkedin": 1},
                "reference": "loan-7",
                "expires_at": int(time.time()) + 86400,
            }
        )
    )
    return application_id, applicant.issue(application_id).applicant_token


def _erased_between_read_and_write(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """The erasure lands just before the repository's `write` (after the caller read the application)."""
    original: Callable[..., Any] = getattr(repo, write)

    def erase_first(application_id: str, *args: Any, **kwargs: Any) -> Any:
        applications.erase("p1", application_id)
        return original(application_id, *args, **kwargs)

    monkeypatch.setattr(repo, write, erase_first)


def _only_the_tombstone(repo: ApplicationRepository, application_id: str) -> None:
    items = repo.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": app_pk(application_id)}
    )["Items"]
    assert [i["sk"] for i in items] == ["META"], "no audit entry or other item left beside the tombstone"
    assert items[0]["status"] == "erased"
    assert set(items[0]) <= TOMBSTONE_FIELDS, set(items[0]) - TOMBSTONE_FIELDS


def test_a_new_link_racing_an_erasure_is_refused_as_on_the_erased_application(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, _ = _collecting(repo)
    _erased_between_read_and_write(repo, monkeypatch, "set_applicant_token")
    with pytest.raises(applications.WrongStatus, match="erased"):  # 409, as once it is erased
        applicant.reissue("p1", application_id)
    _only_the_tombstone(repo, application_id)
    with pytest.raises(applications.WrongStatus, match="erased"):
        applicant.reissue("p1", application_id)


def test_a_replayed_create_whose_application_is_erased_before_its_new_link_answers_410(
    repo: ApplicationRepository,
) -> None:
    """The create route issues a link after the replay's own erased check: an erasure in between is 410, the
    answer documented for a replayed create of an erased application."""
    application_id, _ = _collecting(repo)
    applications.erase("p1", application_id)
    with pytest.raises(applications.Erased):
        applicant.issue(application_id)
    _only_the_tombstone(repo, application_id)


def test_a_revocation_racing_an_erasure_answers_that_no_link_was_left(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, _ = _collecting(repo)
    _erased_between_read_and_write(repo, monkeypatch, "revoke_applicant_token")
    assert applicant.revoke("p1", application_id).revoked is False
    _only_the_tombstone(repo, application_id)


def test_the_applicants_consent_racing_an_erasure_gets_no_upload_forms(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, token = _collecting(repo)
    application = load(application_id, hash_token(token))  # the request's read, before the erasure
    _erased_between_read_and_write(repo, monkeypatch, "record_applicant_consent")
    consent = ApplicantConsent(granted=True, notice_version="2026-12")
    with pytest.raises(LinkRefused) as refused:
        applicant.upload_forms(application, consent)
    # What the applicant's next request is told too: the tombstone keeps no token hash.
    assert refused.value.code == "link_revoked"
    with pytest.raises(LinkRefused, match="link_revoked"):
        load(application_id, hash_token(token))
    _only_the_tombstone(repo, application_id)


def test_without_a_race_the_link_revocation_and_consent_write_with_their_audit_entries(
    repo: ApplicationRepository,
) -> None:
    """The same writes, all or nothing with their audit entries, still do what they did."""
    application_id, token = _collecting(repo)
    application = load(application_id, hash_token(token))
    consent = ApplicantConsent(granted=True, notice_version="2026-12")
    assert [f.platform for f in applicant.upload_forms(application, consent).uploads] == ["linkedin"]
    again = ApplicantConsent(granted=True, notice_version="2027-01")
    applicant.upload_forms(application, again)  # the first consent is the one that counts
    stored = repo.get(application_id).applicant_consent
    assert stored is not None
    assert stored.notice_version == "2026-12"
    link = applicant.reissue("p1", application_id)
    with pytest.raises(LinkRefused, match="link_revoked"):
        load(application_id, hash_token(token))
    assert load(application_id, hash_token(link.applicant_token)).application_id == application_id
    assert applicant.revoke("p1", application_id).revoked is True
    assert applicant.revoke("p1", application_id).revoked is False
    events = [e.event for e in repo.audit_trail(application_id)]
    assert events == [
        "created",
        "applicant_link_issued",
        "applicant_consented",
        "applicant_link_issued",
        "applicant_link_revoked",
    ]
