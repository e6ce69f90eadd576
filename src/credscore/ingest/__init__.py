"""Ingestion: uploaded export archives → items in the applicant's profile, with a report per source.

`ingest_archive` (one archive), `detect` (which platform an archive is), `pipeline` (every source of one
application), `archive` (the safe zip reader and its limits), one parser per platform (facebook, linkedin,
x_archive, instagram; x_api for a handle), `common` (what the parsers share).
"""
