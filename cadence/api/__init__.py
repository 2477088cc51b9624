"""The REST adapter: FastAPI routers under ``/api/v1`` mounted on Reflex's backend."""
