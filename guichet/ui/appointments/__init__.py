"""The « Rendez-vous » page: agendas by day and week, today's arrivals, booking, check-in."""
