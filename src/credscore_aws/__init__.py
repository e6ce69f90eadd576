"""AWS adapters (S3, DynamoDB, SSM) used by the thin handlers. The domain package never imports this."""
