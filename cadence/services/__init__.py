"""Domain logic. Services import neither reflex nor fastapi; they take a session and keywords."""
