"""Supervision: the live board of the queues, statistics over any period, staffing advice (supervisors only)."""
