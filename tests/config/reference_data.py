"""Decoding the reference JSON written by tools/refdata/config_reference.py."""


def decode(value):
    """Undo the reference script's encoding (tuples are ``{"__tuple__": [...]}``)."""
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(decode(v) for v in value["__tuple__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def strip_delete(value):
    if isinstance(value, dict):
        return {k: strip_delete(v) for k, v in value.items() if k != "_delete_"}
    return value
