"""A real Pyramid application and a real Flask application that fail deep in their code.

Used by the debug page's browser and page tests: their frames are the
application's (this file is not in site-packages), the frameworks' are
libraries'.
"""

from __future__ import annotations

import json
from typing import Any

from paste_exc.errormiddleware import ErrorMiddleware

TOKEN = "debug-page-token-0123456789abcdef"


class Basket:
    def __init__(self, raw: str) -> None:
        self.raw = raw

    def items(self) -> list[Any]:
        return list(json.loads(self.raw)["items"])


def load_basket(raw: str) -> Basket:
    basket = Basket(raw)
    basket.items()
    return basket


def checkout(raw: str, user: str) -> str:
    owner = user.title()
    basket = load_basket(raw)
    return f"{owner}: {basket.raw}"


def make_pyramid_app(**options: Any) -> Any:
    from pyramid.config import Configurator
    from pyramid.response import Response

    def cart_view(request: Any) -> Any:
        user = request.params.get("user", "anonymous")
        request.POST  # noqa: B018 - WebOb parses the form (the body is read)
        return Response(checkout('{"items": [1, 2,', user))

    def not_found(request: Any) -> Any:
        # An exception view: the HTTPNotFound is the context of what fails here.
        raise RuntimeError("the not-found page could not be rendered")

    with Configurator() as config:
        config.add_route("cart", "/cart")
        config.add_view(cart_view, route_name="cart")
        config.add_notfound_view(not_found)
        app = config.make_wsgi_app()
    return ErrorMiddleware(app, debug=True, debug_token=TOKEN, **options)


def make_flask_app(**options: Any) -> Any:
    import flask

    app = flask.Flask("realapps_flask")
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.route("/cart", methods=["GET", "POST"])
    def cart() -> str:
        user = flask.request.args.get("user", "anonymous")
        return checkout('{"items": [1, 2,', user)

    return ErrorMiddleware(app.wsgi_app, debug=True, debug_token=TOKEN, **options)
