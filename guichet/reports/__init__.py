"""PDF letters, receipts and statistics; XLSX and CSV exports."""
