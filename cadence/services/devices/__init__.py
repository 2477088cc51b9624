"""Device providers (Garmin, WHOOP, Strava), connections, and the background sync."""
