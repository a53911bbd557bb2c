"""The response site: the pages participants reach from the signed links in our
emails, to check in on a session, write a reflection and answer the reviews
(docs/responses.md).

- ``app``: the aiohttp application (``create_app``), its headers and error pages, ``serve``;
- ``routes``: GET shows a link's page, POST answers it;
- ``answering``: each kind of form, from the sent fields to the page that follows;
- ``forms``, ``slots``: checking what was sent, the dates a session can move to;
- ``gateway``: the answer view query, the ``record_answer`` update and its signal;
- ``journal``: the reflection text, mailed and dropped;
- ``pages``, ``form_pages``, ``texts``, ``templates/``: the pages in English and German.
"""

from mentoring_service.site.app import create_app, serve

__all__ = ["create_app", "serve"]
