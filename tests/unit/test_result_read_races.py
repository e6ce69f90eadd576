"""Erasure racing the readers of a scored application's documents (the partner's result and rescore, the
applicant's result), against moto: the reader saw the application scored, then the erasure purged the document it
reads next. The answer is the erased application's (410 for the partner, the revoked link for the applicant), not
a 409 saying the scored application has no result, which reads as a fault of the service."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from credscore.application import new_application_id
from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.logic import applicant, applications
from credscore_aws.logic.applicant_token import LinkRefused
from credscore_aws.models.records import NewApplication
from tests.fake_aws import moto_store


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    with moto_store(monkeypatch) as repository:
        yield repository


def _scored(repo: ApplicationRepository) -> str:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": "p1",
                "declared": {"linkedin": 1},
                "expires_at": int(time.time()) + 86400,
            }
        )
    )
    assert repo.claim_for_scoring(application_id, "upload", "execution-1")
    result = {"status": "scored", "normalised_score": 640.0, "config_version": "v1"}
    repo.store_result(application_id, result, {"values": {}})
    repo.mark_scored(application_id, result)
    return application_id


def _erased_before_the_document_is_read(repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    original: Callable[..., Any] = repo.get_doc

    def erase_first(application_id: str, kind: str) -> Any:
        if repo.get(application_id).status.value != "erased":
            applications.erase("p1", application_id)
        return original(application_id, kind)

    monkeypatch.setattr(repo, "get_doc", erase_first)


@pytest.mark.parametrize("read", [applications.result, applications.rescore])
def test_a_partner_read_racing_an_erasure_answers_erased(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch, read: Callable[[str, str], Any]
) -> None:
    application_id = _scored(repo)
    _erased_before_the_document_is_read(repo, monkeypatch)
    with pytest.raises(applications.Erased) as racing:  # 410, as every later read answers, in the same words
        read("p1", application_id)
    with pytest.raises(applications.Erased) as later:
        read("p1", application_id)
    assert str(racing.value) == str(later.value)
    assert str(racing.value).startswith("the application was erased")


def test_the_applicants_result_racing_an_erasure_answers_as_the_next_request_will(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _scored(repo)
    application = repo.get(application_id)  # the request's read, when its token was checked
    _erased_before_the_document_is_read(repo, monkeypatch)
    with pytest.raises(LinkRefused) as refused:
        applicant.result(application)
    assert refused.value.code == "link_revoked", "the tombstone keeps no token hash"


def test_a_scored_application_without_its_result_is_still_a_conflict(repo: ApplicationRepository) -> None:
    """Not erased, the document missing all the same (an older deploy's application): 409 as before."""
    application_id = _scored(repo)
    repo.table.delete_item(Key={"pk": f"APP#{application_id}", "sk": "RESULT"})
    repo.table.delete_item(Key={"pk": f"APP#{application_id}", "sk": "FEATURES"})
    with pytest.raises(applications.WrongStatus, match="no result stored"):
        applications.result("p1", application_id)
    with pytest.raises(applications.WrongStatus, match="no kept features"):
        applications.rescore("p1", application_id)
    with pytest.raises(applications.WrongStatus, match="no result stored"):
        applicant.result(repo.get(application_id))
