"""The errors of the settings: a value that is not allowed, a key that does not exist, a
setting the administrator's policy locks."""

from __future__ import annotations

from .errors import AppError


class SettingsError(AppError):
    title = "This setting cannot be changed"
    action = "settings"


class UnknownSetting(SettingsError):
    title = "Unknown setting"


class InvalidSetting(SettingsError):
    title = "This value is not allowed"


class SettingLocked(SettingsError):
    """The key is locked by the administrator's policy file."""

    title = "Managed by your administrator"


class AutoSyncLocked(SettingsError):
    title = "Auto sync is not available yet"
