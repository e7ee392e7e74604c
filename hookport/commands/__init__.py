"""One module per ``hookport`` sub-command (see ``hookport.cli``)."""
