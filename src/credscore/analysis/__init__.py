"""Analyses of a normalized profile: text sentiment, profanity of names, image moderation.

Pure functions and classes: bytes and `Profile` in, `credscore.evidence` models out. No AWS, no network, no
run-time model downloads. Heavy objects (VADER analyzer, profanity censor, ONNX sessions) are built once per
process and reused across warm invocations.

Entry points: `language.identify` (the language of a text, before sentiment), `sentiment.analyze_text`,
`profanity.analyze_names` (and `profanity.contains_profanity` for long texts), `images.ImageModerator` with
`images.merge_image_analyses`; model cards in `model_cards`. What each analysis read is summarised for results
by `credscore.coverage` (docs/analysis.md).
"""
