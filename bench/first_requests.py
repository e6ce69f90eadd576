"""What a cold execution environment's first request loads once, after init (the handlers load their models lazily),
as Python statements: the analysis benchmark times them in a fresh interpreter, the cold-start benchmark right after
each function's handler import. One place, so that both measure the same calls."""

from __future__ import annotations

# Language identification and VADER, on an English and a Latin text (AnalyzeTextFunction).
SENTIMENT = (
    "from credscore.analysis.sentiment import count_sentiment; count_sentiment(['Nice day', 'Hola amigos'])"
)
# The word lists, allowed phrases and the FastProfanity trie (AnalyzeProfanityFunction).
NAMES = "from credscore.analysis.profanity import count_names; count_names(['Mumbai Runners', 'Cum Laude'])"
