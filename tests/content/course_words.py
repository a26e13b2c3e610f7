"""Titles for large generated courses (`tests/content/test_large_library.py`,
`bench/big_course.py`): 25 qualities x 20 subjects x 20 settings, 10,000 distinct titles such
as "Bayesian Inference with Priors"."""

from __future__ import annotations

import itertools
import random

QUALITIES = (
    "Linear",
    "Bayesian",
    "Spectral",
    "Stochastic",
    "Convex",
    "Discrete",
    "Numerical",
    "Probabilistic",
    "Causal",
    "Variational",
    "Sparse",
    "Robust",
    "Online",
    "Kernel",
    "Statistical",
    "Differential",
    "Algebraic",
    "Geometric",
    "Combinatorial",
    "Information",
    "Quantum",
    "Recursive",
    "Adaptive",
    "Distributed",
    "Hierarchical",
)
SUBJECTS = (
    "Regression",
    "Inference",
    "Clustering",
    "Optimization",
    "Sampling",
    "Estimation",
    "Embeddings",
    "Transforms",
    "Networks",
    "Equations",
    "Operators",
    "Matrices",
    "Graphs",
    "Models",
    "Processes",
    "Codes",
    "Games",
    "Filters",
    "Flows",
    "Bounds",
)
SETTINGS = (
    "",
    "Basics",
    "in Practice",
    "for Time Series",
    "with Constraints",
    "on Manifolds",
    "at Scale",
    "and Duality",
    "under Noise",
    "for Images",
    "for Text",
    "with Missing Data",
    "in High Dimensions",
    "and Convergence",
    "for Control",
    "Revisited",
    "with Priors",
    "for Ranking",
    "and Stability",
    "on Graphs",
)


def titles(count: int, rng: random.Random) -> list[str]:
    """`count` distinct titles, in random order."""
    combos = list(itertools.product(QUALITIES, SUBJECTS, SETTINGS))
    rng.shuffle(combos)
    if count > len(combos):
        raise ValueError(f"at most {len(combos):,} distinct titles, {count:,} asked")
    return [" ".join(filter(None, combo)) for combo in combos[:count]]


def slug(title: str) -> str:
    """The topic id of a title: lower case, words joined by hyphens."""
    return "-".join(title.lower().split())
