"""Pages: reportlab layouts for notices, minutes, vouchers and honour boards (later issues)."""
