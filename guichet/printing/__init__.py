"""Tickets and receipts: pure layout functions, the ESC/POS adapter and the print job queue."""
