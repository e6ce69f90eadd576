"""Data access: the DynamoDB repository (typed records), the scoring configuration store, S3 I/O."""
