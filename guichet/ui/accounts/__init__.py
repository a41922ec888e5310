"""Accounts: the agents' list for administrators, password changes, unlock codes (PIN) of this PC."""
