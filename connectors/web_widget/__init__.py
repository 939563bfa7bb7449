"""The web chat widget for the province's website: its files (widget.js, widget.css, the demo
page) and the routes that serve them with the web chat channel (routes.py)."""
