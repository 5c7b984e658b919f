"""Hypothesis profiles for the sync engine's property tests.

Select with TANDEM_HYPOTHESIS_PROFILE: ``ci`` (default; the state machine runs well under
3 minutes on 2 cores) or ``long`` (a deeper run by hand).
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=300, stateful_step_count=25, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile(
    "long", max_examples=5000, stateful_step_count=80, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile(
    "quick", max_examples=30, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("TANDEM_HYPOTHESIS_PROFILE", "ci"))
