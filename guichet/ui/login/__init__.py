"""The identification screen."""
