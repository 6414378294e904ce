"""The ``yunmail`` command line (``cli.main.main``): init, serve and the administration commands."""
