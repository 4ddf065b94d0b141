"""Bringing phone menus in and taking them out: Twilio Studio flow definitions and TwiML documents.

Converts between outside formats and the flow model (it may import :mod:`ivr_studio.flow` and
:mod:`ivr_studio.twiml`, never the runtime or the editor). Start with :mod:`.twiml_import`,
:mod:`.studio_import`, :mod:`.studio_export`; every import returns an :class:`~.report.ImportReport`.
"""
