"""Every route path of the web UI, defined once: pages register them, links use them."""

from __future__ import annotations

DASHBOARD = "/"
LOGIN = "/login"
SIGNUP = "/signup"
WORKOUTS = "/workouts"
WORKOUT_LOG = "/workouts/log"
WORKOUT_VIEW = "/workouts/view"
EXERCISES = "/exercises"
ACTIVITIES = "/activities"
ACTIVITY_VIEW = "/activities/view"
CHAT = "/chat"
DEVICES = "/devices"
SETTINGS = "/settings"
ADMIN = "/admin"
