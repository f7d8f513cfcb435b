"""Pick values out of JSON documents."""

__version__ = "0.1.0"

__all__ = ["__version__", "peek"]


def peek(doc, path):
    """The value at a dotted path: keys of objects, indexes of arrays."""
    for part in path.split(".") if path else []:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc
