"""Where the analysis branches put their results: S3, under the application's work files, with a small marker
(`StoredAnalysis`) in the state machine's data instead of the counts.

Step Functions keeps every state's input and output in the execution's history for 90 days and no erasure can
reach it; an applicant's sentiment, profanity and flagged-photo counts do not belong there. Written with the same
erasure check as the other pipeline files (`put_pipeline_files`), purged with them when the application is
scored, fails or is erased.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel

from credscore.application import analysis_key, analysis_prefix
from credscore.evidence import ImageAnalysis, ProfanityAnalysis, TextAnalysis
from credscore_aws.dal.repository import ApplicationErased
from credscore_aws.dal.storage import get_json, s3_client
from credscore_aws.logic.erasure import put_pipeline_files
from credscore_aws.models.states import (
    BranchFailed,
    ImagesBranch,
    ProfanityBranch,
    StoredAnalysis,
    TextBranch,
)
from credscore_aws.runtime import repository
from credscore_aws.settings import settings

# The branches with every result in hand: what `evidence_from_branches` scores.
Analyses = tuple[
    TextAnalysis | BranchFailed,
    ProfanityAnalysis | BranchFailed,
    list[ImageAnalysis | BranchFailed] | BranchFailed,
]


class StoredAnalysisMissing(Exception):
    """A branch's stored result is gone while the application is not erased: the run cannot be scored."""


def store_analysis(
    application_id: str, kind: Literal["text", "profanity", "images"], name: str, analysis: BaseModel
) -> StoredAnalysis:
    key = analysis_key(application_id, name)
    put_pipeline_files(application_id, {key: analysis.model_dump_json()})
    return StoredAnalysis(kind=kind, key=key)


def load_analysis[M: BaseModel](application_id: str, stored: StoredAnalysis, model: type[M]) -> M:
    """The result a branch stored; ApplicationErased when the erasure's purge took it first."""
    if not stored.key.startswith(analysis_prefix(application_id)):
        raise StoredAnalysisMissing(f"the {stored.kind} result is not this application's")
    try:
        return model.model_validate(get_json(settings().bucket_name, stored.key))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            raise
    if repository().is_erased(application_id):
        raise ApplicationErased(application_id)
    raise StoredAnalysisMissing(f"the {stored.kind} result was not found")


_READ_THREADS = 8  # below botocore's connection pool (10), as put_json_many


def with_results(application_id: str, analyses: tuple[TextBranch, ProfanityBranch, ImagesBranch]) -> Analyses:
    """The Parallel state's [text, profanity, images] with every stored result read back (at once: one GET each,
    an image batch each); failure markers and results passed inline (executions from before) are kept as they are."""
    text, profanity, images = analyses
    batches = images if isinstance(images, list) else []
    stored = [a for a in (text, profanity, *batches) if isinstance(a, StoredAnalysis)]
    models: dict[str, type[BaseModel]] = {
        "text": TextAnalysis,
        "profanity": ProfanityAnalysis,
        "images": ImageAnalysis,
    }
    loaded: dict[str, BaseModel] = {}
    if stored:
        repository()  # made here, once, like the S3 client below: creating them is not thread-safe
        s3_client()
        with ThreadPoolExecutor(max_workers=min(_READ_THREADS, len(stored))) as pool:
            futures = {s.key: pool.submit(load_analysis, application_id, s, models[s.kind]) for s in stored}
        loaded = {key: future.result() for key, future in futures.items()}

    def read(branch: Any) -> Any:
        return loaded[branch.key] if isinstance(branch, StoredAnalysis) else branch

    return read(text), read(profanity), [read(b) for b in batches] if isinstance(images, list) else images
