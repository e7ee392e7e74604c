"""The run's text logger: terminal plus ``<log_dir>/<timestamp>.log`` (rank 0 only writes the file)."""
from __future__ import annotations

import logging
import sys
from typing import Optional

FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
DATEFMT = "%Y/%m/%d %H:%M:%S"


def build_logger(name: str, log_file: Optional[str] = None, log_level: str = "INFO",
                 rank: int = 0) -> logging.Logger:
    """A logger named ``name`` writing to stdout (rank 0; errors only elsewhere) and ``log_file``.

    Handlers from a previous run with the same name are replaced, so repeated runs in
    one process do not duplicate lines.
    """
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.propagate = False
    level = logging.getLevelName(log_level.upper()) if isinstance(log_level, str) else log_level
    if not isinstance(level, int):
        level = logging.INFO
    logger.setLevel(level)
    formatter = logging.Formatter(FORMAT, datefmt=DATEFMT)
    stream = logging.StreamHandler(sys.stdout)
    stream.setFormatter(formatter)
    stream.setLevel(level if rank == 0 else logging.ERROR)
    logger.addHandler(stream)
    if log_file is not None and rank == 0:
        file_handler = logging.FileHandler(log_file, mode="a")
        file_handler.setFormatter(formatter)
        file_handler.setLevel(level)
        logger.addHandler(file_handler)
    return logger


def close_logger(logger: logging.Logger) -> None:
    """Flush and detach every handler (the log file is complete after this)."""
    for handler in list(logger.handlers):
        handler.flush()
        logger.removeHandler(handler)
        handler.close()
