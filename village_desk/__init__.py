"""村务通 (village_desk): records, rules and services of a village office.

This package is the core. Apart from its composition root (``app.py`` and
``__main__.py``) it imports no Qt, SQLAlchemy, reportlab or openpyxl.
"""

__version__ = "0.1.0"
