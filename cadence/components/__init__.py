"""Presentational components: functions of Vars and handlers; they never import states."""
