"""The "Courrier" screen: quick entry of the morning mail and the register."""
