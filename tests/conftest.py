"""Shared test set-up: the hypothesis profiles (``ci`` is the default; ``dev`` runs more)."""

import os

from hypothesis import HealthCheck, settings

# ci (the default): enough examples to find what the properties have found so far, in a suite
# that runs in under 30 s; dev (HYPOTHESIS_PROFILE=dev) for a long run by hand.
settings.register_profile("ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
