"""The call screen ("écran d'appel"): calls shown large, chimed and spoken."""
