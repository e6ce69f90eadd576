"""The shadow-scoring job (shadow.asl.json): score the kept feature values of stored applications under the active
and a candidate configuration, page by page, and aggregate a comparison report.

Plan      pins the job: the candidate (validated), the active parameter version in force now (every page scores
          against that same version), the scan segments (DynamoDB parallel scan) the Map fans out over.
ScorePage scores up to `page_size` applications of one segment, writes their shadow rows (statuses, scores,
          reason codes; no personal data) to work/shadow/<job>/ (KMS-encrypted by the bucket, expired after a day
          by its lifecycle rule) and returns where to continue; the state machine loops until the segment is done.
Report    reads every page's rows, compares (`credscore.model_compare.compare`), writes report.json beside them.
"""

from __future__ import annotations

import json
import time
import uuid
from functools import cache
from typing import Any

import boto3

from credscore.application import shadow_job_prefix
from credscore.model_compare import compare, shadow_row
from credscore.scoring.config import ScoringConfig, parse_config
from credscore_aws.dal.config_store import ConfigStore
from credscore_aws.dal.storage import put_json, s3_client
from credscore_aws.logic.candidates import CandidateStore
from credscore_aws.logic.outcomes import scan_model_data
from credscore_aws.models.states import (
    ShadowJob,
    ShadowPageInput,
    ShadowPageOutput,
    ShadowPlanInput,
    ShadowPlanOutput,
    ShadowReportInput,
    ShadowReportOutput,
)
from credscore_aws.runtime import repository
from credscore_aws.settings import settings

MAX_SEGMENTS = 64
DEFAULT_SEGMENTS = 4
DEFAULT_PAGE_SIZE = 1000
# A page stops reading DynamoDB after this long, well inside the function's timeout, and continues next call.
PAGE_TIME_BUDGET_SECONDS = 40.0


def job_prefix(job_id: str) -> str:
    return shadow_job_prefix(job_id)


def report_key(job_id: str) -> str:
    return job_prefix(job_id) + "report.json"


@cache
def _ssm() -> Any:
    return boto3.client("ssm")


@cache
def _config_of_version(parameter: str, version: int) -> ScoringConfig:
    return parse_config(ConfigStore(_ssm(), parameter).text_of(version))


@cache
def _candidate(parameter: str, label: str, version: int | None) -> ScoringConfig:
    # Cached by the parameter version the plan read: a candidate stored again under the same label (a fix, the
    # same label) is another version, which a warm page must not take for the one it cached.
    return CandidateStore(_ssm(), parameter).get(label, version)


def plan(event: ShadowPlanInput) -> ShadowPlanOutput:
    parameter = settings().config_param
    label = event.candidate
    text, candidate_parameter_version = CandidateStore(_ssm(), parameter).stored(label)
    candidate = parse_config(text)  # fails the job early when missing or invalid
    active = ConfigStore(_ssm(), parameter).load_fresh()
    segments = int(event.segments or DEFAULT_SEGMENTS)
    if not 1 <= segments <= MAX_SEGMENTS:
        raise ValueError(f"segments must be 1 to {MAX_SEGMENTS}")
    job = ShadowJob(
        job_id=str(event.job_id or uuid.uuid4().hex),
        candidate=label,
        candidate_version=candidate.version,
        candidate_parameter_version=candidate_parameter_version,
        active_parameter_version=active.parameter_version,
        active_version=active.config.version,
        total_segments=segments,
        page_size=int(event.page_size or DEFAULT_PAGE_SIZE),
        cutoff=event.cutoff,
        candidate_cutoff=event.candidate_cutoff,
        started_at=int(time.time()),
    )
    return ShadowPlanOutput(job=job, segments=list(range(segments)))


def score_page(event: ShadowPageInput, clock: Any = time.monotonic) -> ShadowPageOutput:
    job = event.job
    segment = event.segment
    page = event.page
    start_key = event.start_key
    parameter = settings().config_param
    active = _config_of_version(parameter, job.active_parameter_version)
    candidate = _candidate(parameter, job.candidate, job.candidate_parameter_version)
    started = clock()
    rows: list[dict[str, Any]] = []
    while True:
        items, start_key = scan_model_data(
            repository().table,
            segment=segment,
            total_segments=job.total_segments,
            start_key=start_key,
            page_size=job.page_size - len(rows),
        )
        rows += [shadow_row(item["features"], active, candidate) for item in items]
        if start_key is None or len(rows) >= job.page_size or clock() - started > PAGE_TIME_BUDGET_SECONDS:
            break
    if rows:
        body = "\n".join(json.dumps(r, separators=(",", ":")) for r in rows)
        put_json(settings().bucket_name, f"{job_prefix(job.job_id)}rows/{segment:03d}-{page:06d}.jsonl", body)
    return ShadowPageOutput(
        job=job, segment=segment, page=page + 1, start_key=start_key, done=start_key is None, rows=len(rows)
    )


def _rows(job_id: str) -> Any:
    s3 = s3_client()
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=settings().bucket_name, Prefix=job_prefix(job_id) + "rows/"
    )
    for listing in pages:
        for obj in listing.get("Contents", []):
            body = s3.get_object(Bucket=settings().bucket_name, Key=obj["Key"])["Body"].read().decode("utf-8")
            for line in body.splitlines():
                if line:
                    yield json.loads(line)


def report(event: ShadowReportInput) -> ShadowReportOutput:
    job = event.job
    comparison = compare(_rows(job.job_id), cutoff=job.cutoff, candidate_cutoff=job.candidate_cutoff)
    document = {"job": job.model_dump(mode="json"), "finished_at": int(time.time()), **comparison}
    key = put_json(settings().bucket_name, report_key(job.job_id), json.dumps(document, indent=1))
    return ShadowReportOutput(
        job_id=job.job_id,
        bucket=settings().bucket_name,
        report_key=key,
        applications=comparison["applications"],
        psi=comparison["psi"]["value"],
        approval_change=comparison["approval"]["change"],
    )
