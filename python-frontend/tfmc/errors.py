"""The exceptions tfmc raises for problems in what it was given."""


class TfmcError(Exception):
    """A problem with a model, its weights or its inputs; the message names
    the problem and where it is."""


class UnsupportedError(TfmcError):
    """The model uses something tfmc cannot compile (an op, an attribute, a
    dtype, a run-time shape); the message names it and where it is."""
