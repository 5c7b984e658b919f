"""Hypothesis profiles for the sync engine's state machine.

TANDEM_HYPOTHESIS_PROFILE selects one: ``ci`` (default; well under 3 minutes on 2 cores,
300 examples) or ``long`` (a deeper run by hand). The profile is applied to the state machine
only (``STATE_MACHINE_SETTINGS``), not loaded globally, so other suites keep their settings.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=300, stateful_step_count=50, deadline=None,
                          suppress_health_check=_quiet)
settings.register_profile("long", max_examples=5000, stateful_step_count=100, deadline=None,
                          suppress_health_check=_quiet)
settings.register_profile("quick", max_examples=30, stateful_step_count=20, deadline=None,
                          suppress_health_check=_quiet)

PROFILE = os.environ.get("TANDEM_HYPOTHESIS_PROFILE", "ci")
