"""`hookport run` (placeholder until its issue lands)."""
from hookport.errors import HookportError

HELP = "run (not implemented yet)"


def add_arguments(parser):
    """No arguments yet."""
    parser.add_argument("rest", nargs="*")


def main(args):
    """Fail clearly until implemented."""
    raise HookportError("hookport run is not implemented yet")
