"""The setup assistant of a new PC: site, counter, printer, central database (`guichet setup`)."""
