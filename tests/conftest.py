"""Shared test set-up. Qt must run offscreen: set before any QApplication exists."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep Qt from reading the developer's own settings or fonts config noise.
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts.warning=false")
