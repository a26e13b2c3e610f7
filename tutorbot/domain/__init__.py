"""The rules, as plain functions and frozen states: no Discord, no SQL, no clock of their own."""
