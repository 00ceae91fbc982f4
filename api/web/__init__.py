"""The browser front end under `/app`: one page and its static assets
(plain ES modules and CSS, no build step). The API root `/` stays JSON.
"""

from api.web.routes import web_app, web_static

__all__ = ["web_app", "web_static"]
