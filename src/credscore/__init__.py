"""credscore domain package: pure Python, no AWS. Delivered to every function as a Lambda layer."""

__version__ = "0.1.0"
