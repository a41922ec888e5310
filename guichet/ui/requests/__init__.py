"""The "Demandes" screen: follow-up requests, their lists, their detail and the answer to the citizen."""
