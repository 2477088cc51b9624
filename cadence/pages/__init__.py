"""Pages: one module per route, wiring states into components. Each module exposes
``ROUTE``, ``TITLE``, ``ON_LOAD`` and ``page()``; ``cadence/cadence.py`` registers them."""
