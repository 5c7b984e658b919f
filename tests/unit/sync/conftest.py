"""Hypothesis profiles for the sync engine's state machine.

TANDEM_HYPOTHESIS_PROFILE selects one: ``ci`` (default; 1,000 examples of up to 50 steps,
about a minute on 2 cores, well under the 3-minute budget) or ``long`` (5,000 examples of up
to 100 steps, about 10 minutes: a deeper run by hand). The state machine applies the chosen
profile to itself; no profile is loaded globally, so other suites keep their own settings.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=1000, stateful_step_count=50, deadline=None, suppress_health_check=_quiet
)
settings.register_profile(
    "long", max_examples=5000, stateful_step_count=100, deadline=None, suppress_health_check=_quiet
)
settings.register_profile(
    "quick", max_examples=30, stateful_step_count=20, deadline=None, suppress_health_check=_quiet
)
