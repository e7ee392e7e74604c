"""`hookport convert` (placeholder until its issue lands)."""
from hookport.errors import HookportError

HELP = "convert (not implemented yet)"


def add_arguments(parser):
    """No arguments yet."""
    parser.add_argument("rest", nargs="*")


def main(args):
    """Fail clearly until implemented."""
    raise HookportError("hookport convert is not implemented yet")
