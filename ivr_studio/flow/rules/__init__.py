"""The validator's rules, one module per concern; :mod:`ivr_studio.flow.validate` runs them.

Each per-node rule takes a :class:`~ivr_studio.flow.model.Node` (and, where it needs the rest of the flow, the
:class:`~ivr_studio.flow.model.Flow`) and returns diagnostics located by path inside that node; the
orchestrator adds the node id and sorts. ``validate.NODE_RULES`` says which rules run for which kind.
"""
