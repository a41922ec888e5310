"""The desk window: contact form, today's journal, status bar."""
