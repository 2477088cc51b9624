"""API fuzzing with schemathesis against a real server: ``make fuzz`` and tests/api/test_fuzz.py."""
