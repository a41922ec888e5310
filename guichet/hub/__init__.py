"""The site hub: one PC of a site serves the site's services to its other PCs over the LAN (``guichet hub``).

Server side: guichet.hub.server (FastAPI) and guichet.hub.runner (the process). Client side:
guichet.hub.client (RemoteServices, the same calls as guichet.services.Services), guichet.hub.listener
(pushed events, and the link's heartbeat) and guichet.hub.outbox (contacts kept while the hub is away).
Nothing here imports Qt: the windows are the same whether their services are local or behind a hub.
"""
