"""Every route path of the web UI, defined once: pages register them, links use them."""

from __future__ import annotations

DASHBOARD = "/"
LOGIN = "/login"
SIGNUP = "/signup"
WORKOUTS = "/workouts"
WORKOUT_LOG = "/workouts/log"  # the live logger: a static page, so links load it in full
WORKOUT_EDIT = "/workouts/edit"  # the form: a past workout, a repeat, an edit
WORKOUT_VIEW = "/workouts/view"
EXERCISES = "/exercises"
ACTIVITIES = "/activities"
ACTIVITY_VIEW = "/activities/view"
CHAT = "/chat"
DEVICES = "/devices"
SETTINGS = "/settings"
ADMIN = "/admin"
