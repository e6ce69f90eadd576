"""The Lambdas' environment, read in one place: one validated model built from `os.environ`.

Every value comes from template.yaml (Globals and each function's Environment), which holds the only defaults.
Each function gets only the variables it needs, so the model accepts any subset: a value is type-checked when
the model is built and reported missing when it is read (`settings().state_machine_arn` in a function without
STATE_MACHINE_ARN raises `SettingsError` naming the variable). A test checks that every function is given every
variable its code reads (tests/unit/test_settings.py).
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, PositiveFloat, PositiveInt, ValidationError


class SettingsError(RuntimeError):
    """A variable the running code needs is missing from the function's environment, or is not valid."""


class Settings(BaseModel):
    """Field names are the variables' own names; each is read through the lower-case property of that name."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Globals (every function)
    TABLE_NAME: str | None = None
    BUCKET_NAME: str | None = None
    # Pipeline
    X_BEARER_TOKEN_PARAM: str | None = None
    MAX_PHOTOS_PER_APPLICATION: PositiveInt | None = None
    IMAGE_BATCH_SIZE: PositiveInt | None = None
    IMAGE_MAP_CONCURRENCY: PositiveInt | None = None
    ORT_THREADS: PositiveInt | None = None
    CONFIG_PARAM: str | None = None
    # API and the scheduled jobs
    STATE_MACHINE_ARN: str | None = None
    IDEMPOTENCY_TABLE_NAME: str | None = None
    MAX_UPLOAD_BYTES: PositiveInt | None = None
    UPLOAD_URL_EXPIRY_SECONDS: PositiveInt | None = None
    RESULT_RETENTION_DAYS: PositiveInt | None = None
    UPLOAD_WINDOW_HOURS: PositiveInt | None = None
    APPLICANT_PAGE_URL: str | None = None
    PARTNER_REQUESTS_PER_MINUTE: PositiveInt | None = None
    # Webhooks
    DATA_KEY_ID: str | None = None
    WEBHOOK_QUEUE_URL: str | None = None
    WEBHOOK_DEAD_LETTER_QUEUE_URL: str | None = None
    WEBHOOK_ALLOW_LOOPBACK: bool | None = None
    WEBHOOK_RETRY_BUDGET_SECONDS: PositiveInt | None = None
    WEBHOOK_BACKOFF_BASE_SECONDS: PositiveInt | None = None
    WEBHOOK_TIMEOUT_SECONDS: PositiveFloat | None = None

    @property
    def table_name(self) -> str:
        return _need(self.TABLE_NAME, "TABLE_NAME")

    @property
    def bucket_name(self) -> str:
        return _need(self.BUCKET_NAME, "BUCKET_NAME")

    @property
    def x_bearer_token_param(self) -> str:
        return _need(self.X_BEARER_TOKEN_PARAM, "X_BEARER_TOKEN_PARAM")

    @property
    def max_photos_per_application(self) -> int:
        return _need(self.MAX_PHOTOS_PER_APPLICATION, "MAX_PHOTOS_PER_APPLICATION")

    @property
    def image_batch_size(self) -> int:
        return _need(self.IMAGE_BATCH_SIZE, "IMAGE_BATCH_SIZE")

    @property
    def image_map_concurrency(self) -> int:
        return _need(self.IMAGE_MAP_CONCURRENCY, "IMAGE_MAP_CONCURRENCY")

    @property
    def ort_threads(self) -> int:
        return _need(self.ORT_THREADS, "ORT_THREADS")

    @property
    def config_param(self) -> str:
        return _need(self.CONFIG_PARAM, "CONFIG_PARAM")

    @property
    def state_machine_arn(self) -> str:
        return _need(self.STATE_MACHINE_ARN, "STATE_MACHINE_ARN")

    @property
    def idempotency_table_name(self) -> str:
        return _need(self.IDEMPOTENCY_TABLE_NAME, "IDEMPOTENCY_TABLE_NAME")

    @property
    def max_upload_bytes(self) -> int:
        return _need(self.MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES")

    @property
    def upload_url_expiry_seconds(self) -> int:
        return _need(self.UPLOAD_URL_EXPIRY_SECONDS, "UPLOAD_URL_EXPIRY_SECONDS")

    @property
    def result_retention_days(self) -> int:
        return _need(self.RESULT_RETENTION_DAYS, "RESULT_RETENTION_DAYS")

    @property
    def upload_window_hours(self) -> int:
        return _need(self.UPLOAD_WINDOW_HOURS, "UPLOAD_WINDOW_HOURS")

    @property
    def applicant_page_url(self) -> str:
        return _need(self.APPLICANT_PAGE_URL, "APPLICANT_PAGE_URL")

    @property
    def partner_requests_per_minute(self) -> int:
        return _need(self.PARTNER_REQUESTS_PER_MINUTE, "PARTNER_REQUESTS_PER_MINUTE")

    @property
    def data_key_id(self) -> str:
        return _need(self.DATA_KEY_ID, "DATA_KEY_ID")

    @property
    def webhook_queue_url(self) -> str:
        return _need(self.WEBHOOK_QUEUE_URL, "WEBHOOK_QUEUE_URL")

    @property
    def webhook_dead_letter_queue_url(self) -> str:
        return _need(self.WEBHOOK_DEAD_LETTER_QUEUE_URL, "WEBHOOK_DEAD_LETTER_QUEUE_URL")

    @property
    def webhook_allow_loopback(self) -> bool:
        return _need(self.WEBHOOK_ALLOW_LOOPBACK, "WEBHOOK_ALLOW_LOOPBACK")

    @property
    def webhook_retry_budget_seconds(self) -> int:
        return _need(self.WEBHOOK_RETRY_BUDGET_SECONDS, "WEBHOOK_RETRY_BUDGET_SECONDS")

    @property
    def webhook_backoff_base_seconds(self) -> int:
        return _need(self.WEBHOOK_BACKOFF_BASE_SECONDS, "WEBHOOK_BACKOFF_BASE_SECONDS")

    @property
    def webhook_timeout_seconds(self) -> float:
        return _need(self.WEBHOOK_TIMEOUT_SECONDS, "WEBHOOK_TIMEOUT_SECONDS")


def _need[T](value: T | None, variable: str) -> T:
    if value is None:
        raise SettingsError(f"environment variable {variable} is not set (see template.yaml)")
    return value


VARIABLES = tuple(Settings.model_fields)


def settings() -> Settings:
    """The settings for the current environment: validated once per distinct set of values (a warm Lambda reads
    the same environment every time; a test that changes a variable gets a fresh model)."""
    return _settings_for(tuple(os.environ.get(name) or None for name in VARIABLES))


@lru_cache(maxsize=8)
def _settings_for(values: tuple[str | None, ...]) -> Settings:
    given = {name: value for name, value in zip(VARIABLES, values, strict=True) if value is not None}
    try:
        return Settings.model_validate(given)
    except ValidationError as exc:
        # Name the variable and the problem; never echo the value (a misplaced secret must not reach a log).
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid environment (see template.yaml): {problems}") from None
