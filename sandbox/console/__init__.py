"""The sandbox console: a web page for people at ``GET /_sandbox/``.

It shows both pretend worlds side by side — Outlook (the signed-in user's mailbox) and
Salesforce (the demo org) — with their contacts, events and tasks, and lets a person add,
edit and delete records, play the colleague who edits Salesforce, approve pending device
sign-ins, and start over with a fresh world. Plain server-rendered HTML with a little inline
CSS: no scripts, no external assets, every value escaped.

=====================================================  ========================================
``GET  /_sandbox/?kind=contacts|events|tasks|signins``  the page (``q`` filters, ``op``/``sp``
                                                        page the Outlook/Salesforce lists)
``GET  /_sandbox/console/{side}/{kind}/{id}``           edit form of one record
``POST /_sandbox/console/{side}/{kind}``                add a record
``POST /_sandbox/console/{side}/{kind}/{id}``           save an edited record
``POST /_sandbox/console/{side}/{kind}/{id}/delete``    delete a record
``POST /_sandbox/console/device/approve``               approve (or ``/decline``) a device code
``POST /_sandbox/console/reset``                        start over with the demo or empty world
=====================================================  ========================================

``side`` is ``outlook`` or ``salesforce``; ``kind`` is ``contacts``, ``events`` or ``tasks``.
Every change goes through the state primitives, so change keys, etags, SystemModstamp, delta
tombstones and the recycle bin behave as if the user had edited Outlook or Salesforce
directly. Salesforce changes are made as the user picked in "Act as" (the colleague Sam by
default, since the console mostly plays a colleague). Successful posts answer 303 back to the
page; a form with a mistake is shown again with the message (400).
"""

from __future__ import annotations

from sandbox.console.routes import routes

__all__ = ["routes"]
