"""Fitting a scorecard to repayment outcomes: monotone WoE binning, logistic regression, PDO scaling, a
validation report with fairness views, and a generator of labelled synthetic populations.

For the admin's tools and benchmarks only: no Lambda handler imports this package, and the Lambda layer build
leaves it out (`layers/domain/Makefile`). The scorer applies the fitted bins in plain Python.

Why numpy rather than optbinning: optbinning (the field's standard) pulls in scikit-learn, scipy, pandas and
the OR-Tools solver (hundreds of MB) for a problem that, with a monotone constraint and a minimum bin share, a
greedy pool-adjacent-violators pass solves well; its mixed-integer search is also slower at 1,000,000 rows.
Here every step is a few vectorised numpy calls (quantiles, `searchsorted`, `bincount`, Newton's method on a
13-column design), each one readable in this package, which a model-risk reviewer can check line by line.
"""

from credscore.modelling.binning import MonotoneBinning, WoEEncoder
from credscore.modelling.regression import LogisticRegression
from credscore.modelling.scaling import ScorecardScaler
from credscore.modelling.scorecard import FitOptions, Scorecard, ScorecardFitter

__all__ = [
    "FitOptions",
    "LogisticRegression",
    "MonotoneBinning",
    "Scorecard",
    "ScorecardFitter",
    "ScorecardScaler",
    "WoEEncoder",
]
