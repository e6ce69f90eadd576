"""How erasure wins every race with a running pipeline.

DynamoDB: erasure first replaces the application by a tombstone (status ERASED); every later write of the
application is a transaction conditional on its status (see `ApplicationRepository._transact`), so none lands
after the tombstone, and the purge that follows finds whatever landed before it.

S3 has no write conditional on DynamoDB, so the order does it: erasure lists and deletes the application's
prefixes only after the tombstone is written, and every pipeline writer asks after writing whether the application
is erased, deleting what it wrote if so. Either the writer's question came before the tombstone (then its objects
were in S3 before erasure listed them, and erasure deletes them) or after (then the writer sees ERASED and deletes
them itself). Uploads are the applicant's writes: ReceiveUpload deletes one that arrives for an erased or finished
application, and Score and RecordFailure purge once more after the final status is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from credscore.application import upload_prefix, work_prefix
from credscore_aws.dal.repository import ApplicationErased
from credscore_aws.dal.storage import delete_keys, delete_prefix, put_json_many
from credscore_aws.runtime import repository
from credscore_aws.settings import settings


def purge_objects(application_id: str) -> int:
    """Delete the application's uploads and work files; returns how many objects were deleted."""
    return delete_prefix(settings().bucket_name, upload_prefix(application_id)) + delete_prefix(
        settings().bucket_name, work_prefix(application_id)
    )


def purge_raw(application_id: str, final_write: Callable[[], object]) -> int:
    """The purge around an application's final status write (scored, failed): once before it, so nobody sees a
    finished application with exports left, and once after it, for an upload that landed meanwhile while the
    status still said processing (one arriving later finds the final status and ReceiveUpload deletes it).
    An error of the write propagates without the second purge. Returns how many objects were deleted."""
    purged = purge_objects(application_id)
    final_write()
    return purged + purge_objects(application_id)


def put_pipeline_files(application_id: str, documents: dict[str, Any]) -> list[str]:
    """`put_json_many` for a pipeline step, then the check that makes erasure win: if the application was
    erased meanwhile, what was just written is deleted and `ApplicationErased` raised. A check that fails
    (throttled, timed out) deletes them too before its error goes up: the step's retry writes them again, and an
    erasure that the check would have seen leaves nothing behind."""
    keys = put_json_many(settings().bucket_name, documents)
    try:
        erased = repository().is_erased(application_id)
    except BaseException:
        delete_keys(settings().bucket_name, keys)
        raise
    if erased:
        delete_keys(settings().bucket_name, keys)
        raise ApplicationErased(application_id)
    return keys


@contextmanager
def nothing_left_if_erased(application_id: str) -> Iterator[None]:
    """Around a pipeline step that ends the execution when the application is erased (Ingest, Score): on
    `ApplicationErased`, the application's work files are deleted before it goes up. An earlier attempt of the
    step may have written them after the erasure's purge and died before its own check (a Lambda timeout), and the
    execution then ends without another step to remove them."""
    try:
        yield
    except ApplicationErased:
        delete_prefix(settings().bucket_name, work_prefix(application_id))
        raise
