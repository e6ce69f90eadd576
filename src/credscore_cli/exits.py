"""Exit codes of every `credscore` command: 0 done; 1 the work failed (application failed, API error,
timeout); 2 bad input (usage, missing file, unknown platform, nothing to score); 130 interrupted."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
