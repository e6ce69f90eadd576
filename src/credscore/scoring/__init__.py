"""Scoring: configuration (`config`), feature extraction (`features`) and the pure, bounded, explainable score
(`scorer`); the reference population (`population`) and curves. See docs/scoring.md. Import from the module
that defines a name."""
