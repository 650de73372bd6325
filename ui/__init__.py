"""村务通's windows, pages and dialogs (PySide6). The only package that imports Qt.

``ui.application.run_app`` is the entry point the composition root calls.
All database work started from a window goes through ``ui.operations.OperationRunner``.
"""
