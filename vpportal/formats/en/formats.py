"""`LANGUAGE_CODE = "en"` reads like en-GB (one format for the portal; vpportal/formats/en_GB)."""

from vpportal.formats.en_GB.formats import *  # noqa: F403
