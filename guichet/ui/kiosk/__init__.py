"""The kiosk ("borne"): citizens take a ticket, by touch."""
