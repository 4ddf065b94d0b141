"""Text templates of the files an exported bundle holds besides its TwiML and handler package.

They are Python string constants (``string.Template`` with ``$name`` fields) rather than data files, so
they ship in the wheel as ordinary modules.
"""
