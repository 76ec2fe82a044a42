"""The web faces: server-rendered pages and the REST API (`create_app`)."""

from curbside.web.app import create_app

__all__ = ["create_app"]
