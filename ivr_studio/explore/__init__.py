"""Mapping a live phone menu: drive any TwiML app through the call runtime and build a flow of what it does.

It sits above the runtime (it places calls) and beside the editor; it never imports Qt. Start with
:mod:`.mapper` (the breadth-first exploration), :mod:`.driver` (one call along one path of inputs) and
:mod:`.scenarios` (scenario files for the paths found).
"""
