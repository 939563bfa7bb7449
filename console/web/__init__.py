"""The console's aiohttp application: `console.web.app.make_app` builds it."""
